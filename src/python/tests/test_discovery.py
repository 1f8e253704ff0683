"""The look itself, on real files in a temporary runtime folder: where the folder is, which
files and folders it refuses and why, and which window a path belongs to."""
import json
import os
import unittest
from unittest import mock

from headroom import _diagnostics, _discovery

from .discovery_helpers import Runtime, dead_pid

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


class RuntimeFolder(unittest.TestCase):
    def test_override_xdg_home_windows(self):
        rd = _discovery.runtime_dir
        self.assertEqual(rd({"HEADROOM_RUNTIME_DIR": "/x", "XDG_RUNTIME_DIR": "/run/user/1"}, "linux"), "/x")
        self.assertEqual(rd({"XDG_RUNTIME_DIR": "/run/user/1"}, "linux"), "/run/user/1/headroom")
        self.assertEqual(rd({"XDG_RUNTIME_DIR": ""}, "darwin"), os.path.join(os.path.expanduser("~"), ".local", "share", "headroom", "runtime"))
        win = rd({"LOCALAPPDATA": "C:\\Users\\a\\AppData\\Local"}, "win32")
        self.assertTrue(win.startswith("C:\\Users\\a\\AppData\\Local") and win.replace("\\", "/").endswith("headroom/runtime"), win)


class Contains(unittest.TestCase):
    def test_a_folder_holds_itself_and_what_is_below_it_only(self):
        c = _discovery.contains
        self.assertTrue(c("/a/b", "/a/b"))
        self.assertTrue(c("/a/b", "/a/b/c"))
        self.assertTrue(c("/a/b", "/a/b/c/d.py"))
        self.assertFalse(c("/a/b", "/a/bc"))
        self.assertFalse(c("/a/b", "/a/bc/d"))
        self.assertFalse(c("/a/b", "/a"))
        self.assertTrue(c("/", "/anything"))
        self.assertTrue(c("/a/b/", "/a/b/c"))


class Base(unittest.TestCase):
    def setUp(self):
        self.rt = Runtime()
        self.addCleanup(self.rt.close)
        _diagnostics.reset()
        self.addCleanup(_diagnostics.reset)

    def look(self, *paths):
        return _discovery.look(list(paths), self.rt.dir)


class Matching(Base):
    def test_the_deepest_folder_wins_then_the_newest_file(self):
        top = self.rt.folder("p")
        sub = self.rt.folder("p", "sub")
        deep = self.rt.folder("p", "sub", "deeper")
        self.rt.window([top], token="top", created=50)
        self.rt.window(["/elsewhere", sub], token="sub-old", created=10)
        self.rt.window([sub], token="sub-new", created=20)
        self.assertEqual(self.look(deep)[0]["token"], "sub-new")
        self.assertEqual(self.look(sub)[0]["token"], "sub-new")
        self.assertEqual(self.look(os.path.join(top, "x.py"))[0]["token"], "top")
        # Either path may place the program: the deeper folder wins whichever path it holds.
        self.assertEqual(self.look(top, deep)[0]["token"], "sub-new")
        self.assertEqual(self.look(deep, top)[0]["token"], "sub-new")

    def test_a_program_outside_every_folder_finds_nothing(self):
        self.rt.window([self.rt.folder("a", "b")], token="ab")
        window, refusals = self.look(self.rt.folder("a", "bc"), self.rt.folder("a"))
        self.assertIsNone(window)
        self.assertEqual(refusals, [])
        self.assertEqual(self.look(self.rt.folder("a", "b", "c"))[0]["token"], "ab")

    def test_no_folder_no_window_nothing_said(self):
        window, refusals = _discovery.look([self.rt.root], os.path.join(self.rt.root, "absent"))
        self.assertIsNone(window)
        self.assertEqual(refusals, [])
        self.assertEqual(_diagnostics.counts(), {})

    def test_the_window_carries_its_file(self):
        f = self.rt.folder("w")
        path = self.rt.window([f], token="t")
        w = self.look(f)[0]
        self.assertEqual((w["file"], w["addr"], w["python"]), (path, "unix:/nowhere/hr.sock", "/ext/dist/python"))

    def test_only_window_files_are_read(self):
        f = self.rt.folder("w")
        self.rt.window([f], token="tmp", name=".window-1.json.abc123.tmp")
        self.rt.window([f], token="other", name="notes.json")
        self.assertEqual(self.look(f), (None, []))


class Refusals(Base):
    def assertRefused(self, code, fragment):
        window, refusals = self.look(self.f)
        self.assertIsNone(window)
        self.assertEqual(len(refusals), 1, refusals)
        self.assertIn(fragment, refusals[0])
        self.assertEqual(_diagnostics.counts(), {code: 1})

    def setUp(self):
        super().setUp()
        self.f = self.rt.folder("w")

    def test_a_stale_pid_is_ignored_and_not_counted_as_a_problem(self):
        self.rt.window([self.f], pid=dead_pid())
        window, refusals = self.look(self.f)
        self.assertIsNone(window)
        self.assertEqual(len(refusals), 1, refusals)
        self.assertIn("gone", refusals[0])
        self.assertEqual(_diagnostics.counts(), {})

    def test_a_live_file_still_wins_over_stale_ones(self):
        self.rt.window([self.f], token="dead", pid=dead_pid(), created=99)
        self.rt.window([self.f], token="live", created=1)
        self.assertEqual(self.look(self.f)[0]["token"], "live")

    def test_a_file_open_to_others_is_refused(self):
        self.rt.window([self.f], mode=0o644)
        self.assertRefused("discovery-file-mode", "mode 644")

    @unittest.skipUnless(ROOT, "needs root to give a file away")
    def test_a_file_of_another_user_is_refused(self):
        os.chown(self.rt.window([self.f]), 65534, 65534)
        self.assertRefused("discovery-file-owner", "belongs to user 65534")

    def test_a_symlinked_file_is_refused(self):
        real = os.path.join(self.rt.root, "real.json")
        with open(real, "w") as fh:
            json.dump({"v": 1, "addr": "unix:/x", "token": "t", "folders": [self.f], "pid": os.getpid(), "created": 1}, fh)
        os.chmod(real, 0o600)
        os.symlink(real, os.path.join(self.rt.dir, "window-7.json"))
        self.assertRefused("discovery-file-symlink", "symbolic link")

    def test_a_file_that_is_not_regular_is_refused(self):
        os.mkfifo(os.path.join(self.rt.dir, "window-8.json"), 0o600)
        self.assertRefused("discovery-file-not-regular", "not a regular file")

    def test_malformed_json_is_refused(self):
        self.rt.write("window-9.json", '{"v": 1, "addr": ')
        self.assertRefused("discovery-file-json", "not JSON")

    def test_another_major_version_is_refused(self):
        self.rt.window([self.f], v=2)
        self.assertRefused("discovery-file-version", "format version")

    def test_a_minor_version_above_is_read(self):
        self.rt.window([self.f], v=1.3, token="minor")
        self.assertEqual(self.look(self.f)[0]["token"], "minor")

    def test_missing_or_wrong_fields_are_refused(self):
        def clear():
            _diagnostics.reset()
            for name in os.listdir(self.rt.dir):
                os.unlink(os.path.join(self.rt.dir, name))

        for bad in ({"token": None}, {"addr": ""}, {"addr": None}, {"folders": "/w"}, {"folders": [1]}, {"pid": "1"}, {"pid": 0}, {"pid": -1}, {"pid": True},
                    {"created": "x"}, {"python": 3}):
            with self.subTest(bad):
                clear()
                self.rt.window(**dict({"folders": [self.f]}, **bad))
                self.assertRefused("discovery-file-fields", "lacks")
        clear()
        self.rt.write("window-10.json", "[1, 2]")
        self.assertRefused("discovery-file-fields", "lacks")

    def test_a_symlinked_runtime_folder_is_refused(self):
        self.rt.window([self.f], token="behind a link")
        link = os.path.join(self.rt.root, "link")
        os.symlink(self.rt.dir, link)
        window, refusals = _discovery.look([self.f], link)
        self.assertIsNone(window)
        self.assertIn("symbolic link", refusals[0])
        self.assertEqual(_diagnostics.counts(), {"discovery-folder-symlink": 1})

    def test_a_runtime_folder_open_to_others_is_refused(self):
        self.rt.window([self.f])
        os.chmod(self.rt.dir, 0o755)
        window, refusals = self.look(self.f)
        self.assertIsNone(window)
        self.assertEqual(_diagnostics.counts(), {"discovery-folder-mode": 1})

    @unittest.skipUnless(ROOT, "needs root to give a folder away")
    def test_a_runtime_folder_of_another_user_is_refused(self):
        self.rt.window([self.f])
        os.chown(self.rt.dir, 65534, 65534)
        self.assertIsNone(self.look(self.f)[0])
        self.assertEqual(_diagnostics.counts(), {"discovery-folder-owner": 1})

    def test_a_runtime_path_that_is_a_file_is_refused(self):
        path = os.path.join(self.rt.root, "plain")
        open(path, "w").close()
        self.assertIsNone(_discovery.look([self.f], path)[0])
        self.assertEqual(_diagnostics.counts(), {"discovery-folder-not-dir": 1})

    def test_each_reason_counted_under_its_own_code(self):
        self.rt.window([self.f], mode=0o640)
        self.rt.window([self.f], mode=0o604)
        self.rt.window([self.f], pid=dead_pid())
        self.rt.write("window-11.json", "not json")
        self.rt.window([self.f], token="good")
        window, refusals = self.look(self.f)
        self.assertEqual(window["token"], "good")
        self.assertEqual(len(refusals), 4)
        self.assertEqual(_diagnostics.counts(), {"discovery-file-mode": 2, "discovery-file-json": 1})


class RefusalsByPath(Refusals):
    """The same refusals where the folder cannot be read through a descriptor (Windows)."""

    def setUp(self):
        super().setUp()
        patch = mock.patch.object(_discovery, "_BY_FD", False)
        patch.start()
        self.addCleanup(patch.stop)


class Liveness(unittest.TestCase):
    def test_alive_dead_and_not_ours(self):
        self.assertTrue(_discovery.pid_alive(os.getpid()))
        self.assertFalse(_discovery.pid_alive(dead_pid()))
        self.assertTrue(_discovery.pid_alive(1), "pid 1 runs, even when this user may not signal it")


if __name__ == "__main__":
    unittest.main()
