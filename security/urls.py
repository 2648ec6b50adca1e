from django.urls import path

from security import views

app_name = "security"
urlpatterns = [
    path("account/security/", views.security_page, name="page"),
    path("account/security/enable/", views.enable, name="enable"),
    path("account/security/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("account/security/disable/", views.disable, name="disable"),
    path("login/code/", views.login_code, name="login-code"),
    path("sudo/", views.sudo, name="sudo"),
]
