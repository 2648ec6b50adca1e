"""Running the portal: health probes, request ids and log lines. Imports only core of ours."""
