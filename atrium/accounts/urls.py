from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "accounts"

# Placeholder until the accounts pages land: log in with Django's own view.
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("signup/", auth_views.LoginView.as_view(), name="signup"),
]
