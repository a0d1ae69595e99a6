#!/bin/sh
echo hello from init
