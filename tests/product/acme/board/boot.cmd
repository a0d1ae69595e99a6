echo "ACME boot script"
load mmc 0:1 ${loadaddr} boot.itb
bootm ${loadaddr}
