from autogpt.agent.stuck import StuckDetector, StuckVerdict


def test_same_command_three_times_nudges_then_stops_after_two_more() -> None:
    detector = StuckDetector()
    verdicts = [detector.observe("web_search", {"query": "ice cream"}, None) for _ in range(5)]
    assert verdicts[0].nudge is None and verdicts[1].nudge is None
    assert verdicts[2].nudge and "same command" in verdicts[2].nudge
    assert verdicts[3].stop is None
    assert verdicts[4].stop and verdicts[4].stop.startswith("stuck:")


def test_same_error_three_times_is_detected() -> None:
    detector = StuckDetector()
    for i in range(2):
        assert (
            detector.observe("read_file", {"filename": f"f{i}"}, "Error: no such file").nudge
            is None
        )
    assert detector.observe("read_file", {"filename": "f9"}, "Error: no such file").nudge


def test_ping_pong_over_six_cycles_is_detected() -> None:
    detector = StuckDetector()
    verdicts = [detector.observe("a" if i % 2 == 0 else "b", {}, None) for i in range(6)]
    assert all(v.nudge is None for v in verdicts[:5])
    assert verdicts[5].nudge and "alternating" in verdicts[5].nudge


def test_changing_course_resets_the_streak() -> None:
    detector = StuckDetector()
    for _ in range(3):
        detector.observe("list_files", {}, None)
    assert detector.warned
    assert detector.observe("read_file", {"filename": "x"}, None).nudge is None
    assert not detector.warned


def _fail(detector: StuckDetector, command: str, arg: str = "x") -> StuckVerdict:
    return detector.observe(command, {"arg": arg}, f"Error: {command} {arg} failed")


def test_commands_that_keep_failing_are_stuck_even_when_each_one_differs() -> None:
    detector = StuckDetector()
    verdicts = [_fail(detector, "a" if i % 2 == 0 else "b", str(i)) for i in range(8)]
    assert all(v.nudge is None and v.stop is None for v in verdicts[:5])
    assert verdicts[5].nudge and "failed" in verdicts[5].nudge
    assert verdicts[6].stop is None
    assert verdicts[7].stop and verdicts[7].stop.startswith("stuck:")


def test_a_new_failing_command_after_the_nudge_does_not_start_the_streak_again() -> None:
    """Ping-pong of two failing commands, nudged, then a third failing one: still stuck."""
    detector = StuckDetector()
    verdicts = [_fail(detector, "a" if i % 2 == 0 else "b") for i in range(7)]
    assert verdicts[5].nudge and verdicts[6].nudge and verdicts[6].stop is None
    assert _fail(detector, "c").stop


def test_a_command_that_works_ends_the_failing_streak() -> None:
    detector = StuckDetector()
    for i in range(6):
        _fail(detector, "a" if i % 2 == 0 else "b", str(i))
    assert detector.warned
    assert detector.observe("list_files", {}, None).stop is None
    assert not detector.warned
