echo hello from a U-Boot script
setenv bootdelay 1
