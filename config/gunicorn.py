"""gunicorn settings for `make serve`: `gunicorn -c config/gunicorn.py config.wsgi`.

The access log names the client, method, path without its query string, status, size and
duration, and no header: Authorization, cookies and query strings can carry secrets."""

accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'
# gunicorn's control socket is shared by every gunicorn of the user on the machine.
control_socket_disable = True
