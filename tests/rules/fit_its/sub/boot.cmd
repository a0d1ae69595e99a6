echo booting from a FIT
bootm ${fit_addr}#conf-1
