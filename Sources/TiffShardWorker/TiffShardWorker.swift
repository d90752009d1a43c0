// TiffShardWorker module.
