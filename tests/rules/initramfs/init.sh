#!/bin/sh
echo initramfs test init
