#!/bin/sh
echo common
