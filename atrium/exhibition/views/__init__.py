"""The exhibition's pages, one module a subject: the public plan and profiles (``plan``), the
exhibitor portal (``portal``), booth staff (``staff``), the lead page (``leads``), the
visitor's choices (``visitor``), the organisers' page (``organiser``) and tours (``tours``).
Thin: parse, call a service, render."""
