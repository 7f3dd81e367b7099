#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The classic cron script that ticky-reportd replaces: the reference approach.

NOT PART OF THE PRODUCT. This is the benchmark's opponent
(tests/bench/syslog_vs_classic): ticky_check.py as it is usually written
for this exact job, following the widely copied solution of the Google IT
Automation with Python course ("Log analysis using regular expressions"):
read the syslog file line by line, pick the ticky lines out with regular
expressions, count into two dicts, sort them with operator.itemgetter and
write error_message.csv and user_statistics.csv with the csv module.

It is kept deliberately faithful to that approach, regexes included; its
mistakes are what the benchmark measures. Do not fix it.

    ticky_check.py [/var/log/syslog]    # writes the CSVs in the current directory
"""

import csv
import operator
import re
import sys

logfile = sys.argv[1] if len(sys.argv) > 1 else "/var/log/syslog"

error = {}
per_user = {}

with open(logfile) as f:
    for line in f:
        info = re.search(r"ticky: INFO ([\w ]*) ", line)
        err = re.search(r"ticky: ERROR ([\w ]*) ", line)
        if not info and not err:
            continue
        user = re.search(r"\((\w+)\)", line)
        if user is None:
            continue
        username = user.group(1)
        if username not in per_user:
            per_user[username] = {"INFO": 0, "ERROR": 0}
        if info:
            per_user[username]["INFO"] += 1
        else:
            per_user[username]["ERROR"] += 1
            message = err.group(1)
            if message not in error:
                error[message] = 0
            error[message] += 1

# Most common error first; users by username.
error_list = sorted(error.items(), key=operator.itemgetter(1), reverse=True)
user_list = sorted(per_user.items(), key=operator.itemgetter(0))

with open("error_message.csv", "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["Error", "Count"])
    for message, count in error_list:
        writer.writerow([message, count])

with open("user_statistics.csv", "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["Username", "INFO", "ERROR"])
    for username, counts in user_list:
        writer.writerow([username, counts["INFO"], counts["ERROR"]])
