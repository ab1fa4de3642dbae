"""The cost probe's pieces: what it reads from /proc counts every process below this one."""

import os
import subprocess
import sys
import time

from benchmarks import cost

BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"


def test_a_finished_childs_cpu_is_counted_once_it_is_waited_for():
    before = cost.tree_cpu(os.getpid())
    subprocess.run([sys.executable, "-c", BURN], check=True)
    assert cost.tree_cpu(os.getpid()) - before >= 0.25


def test_a_running_grandchilds_cpu_is_counted_below_this_process():
    # a child that starts a burning grandchild and then waits: the grandchild is counted
    # while it runs, below this process, as a sandbox's children are
    script = (f"import subprocess, sys\np = subprocess.Popen([sys.executable, '-c', {BURN!r} + "
              "'\\nimport time\\ntime.sleep(60)'])\nsys.stdout.write('started\\n')\n"
              "sys.stdout.flush()\np.wait()\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline() == "started\n"
        before = cost.sandbox_cpu()
        for _attempt in range(600):   # until the grandchild has burnt its 0.3 s (60 s at most)
            if cost.sandbox_cpu() - before >= 0.25:
                return
            time.sleep(0.1)
        raise AssertionError("the running grandchild's CPU was never counted")
    finally:
        for pid in cost.children(parent.pid):
            os.kill(pid, 9)
        parent.kill()
        parent.wait()
