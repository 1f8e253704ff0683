import os
import unittest

from headroom import _cgroup, _procmem_linux

from .helpers import REPO

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "cgroup")
GIB = 1024 ** 3


def read(case, path):
    try:
        with open(os.path.join(FIXTURES, case) + path) as f:
            return f.read()
    except OSError:
        return None


def unified_base(case):
    return "/sys/fs/cgroup" if read(case, "/sys/fs/cgroup/cgroup.controllers") is not None else "/sys/fs/cgroup/unified"


def tightest_in(case):
    """The pure functions on a captured tree: the files memory_files names, read from it."""
    files = _cgroup.memory_files(read(case, "/proc/self/cgroup"), unified_base(case))
    readings = [(read(case, lim), read(case, use)) for lim, use in files if read(case, lim) is not None]
    return _cgroup.tightest(readings)


class MemoryFiles(unittest.TestCase):
    def test_v1_hybrid_walks_the_memory_controller_and_the_unified_root(self):
        with open(os.path.join(REPO, "test", "fixtures", "proc", "cgroup-v1-hybrid.txt")) as f:
            text = f.read()
        self.assertEqual(_cgroup.memory_files(text, "/sys/fs/cgroup/unified"), [
            ("/sys/fs/cgroup/memory/process_api/0b11efaf4a6bf9e544f581edbf317789/memory.limit_in_bytes",
             "/sys/fs/cgroup/memory/process_api/0b11efaf4a6bf9e544f581edbf317789/memory.usage_in_bytes"),
            ("/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", "/sys/fs/cgroup/memory/process_api/memory.usage_in_bytes"),
            ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
            ("/sys/fs/cgroup/unified/memory.max", "/sys/fs/cgroup/unified/memory.current"),
        ])

    def test_v2_walks_from_the_scope_to_the_root(self):
        files = _cgroup.memory_files("0::/user.slice/user-1000.slice/session-3.scope\n", "/sys/fs/cgroup")
        self.assertEqual([lim for lim, _ in files], [
            "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/memory.max",
            "/sys/fs/cgroup/user.slice/user-1000.slice/memory.max",
            "/sys/fs/cgroup/user.slice/memory.max",
            "/sys/fs/cgroup/memory.max",
        ])
        self.assertEqual(files[-1][1], "/sys/fs/cgroup/memory.current")

    def test_other_controllers_and_malformed_lines_are_skipped(self):
        text = "5:cpu,cpuacct:/a\n4:memory,hugetlb:/b\nnot a cgroup line\n\n3:pids:/c\n"
        self.assertEqual(_cgroup.memory_files(text, "/sys/fs/cgroup"), [
            ("/sys/fs/cgroup/memory/b/memory.limit_in_bytes", "/sys/fs/cgroup/memory/b/memory.usage_in_bytes"),
            ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
        ])
        self.assertEqual(_cgroup.memory_files("", "/sys/fs/cgroup"), [])


class Values(unittest.TestCase):
    def test_parse_limit(self):
        self.assertEqual(_cgroup.parse_limit("536870912\n"), 536870912)
        self.assertIsNone(_cgroup.parse_limit("max\n"))
        self.assertIsNone(_cgroup.parse_limit("9223372036854771712\n"), "v1's no-limit figure")
        self.assertIsNone(_cgroup.parse_limit("0\n"))
        self.assertIsNone(_cgroup.parse_limit("-1\n"))
        self.assertIsNone(_cgroup.parse_limit(""))
        self.assertIsNone(_cgroup.parse_limit("garbage"))

    def test_tightest_takes_the_smallest_limit_with_a_readable_usage(self):
        self.assertEqual(_cgroup.tightest([("max\n", "5\n"), ("8589934592\n", "100\n"), ("17179869184\n", "200\n")]), (8589934592, 100))
        self.assertEqual(_cgroup.tightest([("1000\n", None), ("2000\n", "7\n")]), (2000, 7), "a limit without usage is skipped")
        self.assertEqual(_cgroup.tightest([("1000\n", "x\n"), ("2000\n", "7\n")]), (2000, 7))
        self.assertIsNone(_cgroup.tightest([]))
        self.assertIsNone(_cgroup.tightest([("max\n", "1\n")]))


class CapturedTrees(unittest.TestCase):
    """Each case twice: the pure functions on the files, and the Linux reader rooted at the tree."""

    def check(self, case, expected):
        self.assertEqual(tightest_in(case), expected)
        self.assertEqual(_procmem_linux.cgroup_limit(root=os.path.join(FIXTURES, case)), expected)

    def test_v1_hybrid_unlimited(self):
        self.check("v1-hybrid-captured", None)

    def test_v1_container_limit_found_at_the_mount_root(self):
        self.check("v1-docker-limited", (2 * GIB, 1288490188))

    def test_v2_tightest_of_nested_limits(self):
        self.check("v2-systemd-nested", (8 * GIB, 5 * GIB))

    def test_v2_container(self):
        self.check("v2-container", (512 * 1024 * 1024, 123465728))

    def test_no_proc_file_no_limit(self):
        self.assertIsNone(_procmem_linux.cgroup_limit(root=os.path.join(FIXTURES, "absent")))


if __name__ == "__main__":
    unittest.main()
