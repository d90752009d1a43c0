// TiffShardCore module.
