#!/bin/sh
# Read by get_file from bad-file.yaml.
export DB_PASSWORD=hunter2
mysql -u app -p"$DB_PASSWORD" < /opt/schema.sql
