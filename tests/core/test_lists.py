"""Lists of names read ", " in English and "、" in Chinese."""

from django.template import Context, Template
from django.utils import translation

TEMPLATE = Template(
    "{% load lists %}{% for n in names %}{{ n }}{% if not forloop.last %}"
    "{% list_separator %}{% endif %}{% endfor %}|{{ names|join_list }}"
)


def test_the_separator_follows_the_language():
    names = ["马骏", "Cecile Harle", "<b>"]
    with translation.override("en"):
        english = TEMPLATE.render(Context({"names": names}))
    with translation.override("zh-hans"):
        chinese = TEMPLATE.render(Context({"names": names}))
    assert english == "马骏, Cecile Harle, &lt;b&gt;|马骏, Cecile Harle, &lt;b&gt;"
    assert chinese == "马骏、Cecile Harle、&lt;b&gt;|马骏、Cecile Harle、&lt;b&gt;"
