// TiffShardDaemon module.
