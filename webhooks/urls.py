from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("<slug:slug>/webhooks/", views.webhooks_page, name="page"),
    path("<slug:slug>/webhooks/<int:pk>/<str:action>/", views.endpoint_action, name="action"),
]
