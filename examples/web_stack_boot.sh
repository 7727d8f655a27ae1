#!/bin/sh
# Boot script read by get_file in web_stack.yaml.
echo "hello from kiln" > /var/www/index.html
