#ifndef TIFFSHARD_LINUX_SHIM_H
#define TIFFSHARD_LINUX_SHIM_H
int tsl_placeholder(void);
#endif
