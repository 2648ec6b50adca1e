from django.urls import path

from tokens import views

app_name = "tokens"
urlpatterns = [
    path("<slug:slug>/tokens/", views.tokens_page, name="page"),
]
