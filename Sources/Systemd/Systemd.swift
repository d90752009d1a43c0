// Systemd module.
