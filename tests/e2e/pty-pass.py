#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# pty-pass.py PASSPHRASE CMD [ARGS...] - run CMD with a fresh pseudo-
# terminal as its controlling terminal (/dev/tty) while stdin/stdout/
# stderr stay as given, and type PASSPHRASE + Enter at every prompt that
# mentions "passphrase". Exits with CMD's status. Used to drive `age -p`
# and `seal age -p`, which read passphrases only from the terminal.
import fcntl
import os
import select
import signal
import sys
import termios
import time

TIMEOUT = 120  # seconds; a hung prompt must fail the test, not block it

def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: pty-pass.py PASSPHRASE CMD [ARGS...]\n")
        return 2
    secret = sys.argv[1].encode() + b"\n"
    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        os.close(slave)
        os.execvp(sys.argv[2], sys.argv[2:])
    os.close(slave)
    seen = b""
    answered = 0
    status = None
    deadline = time.monotonic() + TIMEOUT
    while status is None:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stderr.write("pty-pass.py: timed out, child killed\n")
            return 124
        r, _, _ = select.select([master], [], [], 0.05)
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""
            seen += data
            while seen.lower().count(b"passphrase") > answered:
                os.write(master, secret)
                answered += 1
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            status = st
    os.close(master)
    return os.waitstatus_to_exitcode(status)

sys.exit(main())
