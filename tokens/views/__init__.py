"""The API tokens settings pages, one module per page: plain forms, each POST answered by a
redirect (POST-redirect-GET), except the one that shows a new secret. Views parse input and
call the services; the services hold the rules and write the audit trail."""
