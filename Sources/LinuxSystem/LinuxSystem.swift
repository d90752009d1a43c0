// LinuxSystem module.
