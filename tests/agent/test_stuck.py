from autogpt.agent.stuck import StuckDetector


def test_same_command_three_times_nudges_then_stops_after_two_more():
    detector = StuckDetector()
    verdicts = [detector.observe("web_search", {"query": "ice cream"}, None) for _ in range(5)]
    assert verdicts[0].nudge is None and verdicts[1].nudge is None
    assert verdicts[2].nudge and "same command" in verdicts[2].nudge
    assert verdicts[3].stop is None
    assert verdicts[4].stop and verdicts[4].stop.startswith("stuck:")


def test_same_error_three_times_is_detected():
    detector = StuckDetector()
    for i in range(2):
        assert detector.observe("read_file", {"filename": f"f{i}"}, "Error: no such file").nudge \
            is None
    assert detector.observe("read_file", {"filename": "f9"}, "Error: no such file").nudge


def test_ping_pong_over_six_cycles_is_detected():
    detector = StuckDetector()
    verdicts = [detector.observe("a" if i % 2 == 0 else "b", {}, None) for i in range(6)]
    assert all(v.nudge is None for v in verdicts[:5])
    assert verdicts[5].nudge and "alternating" in verdicts[5].nudge


def test_changing_course_resets_the_streak():
    detector = StuckDetector()
    for _ in range(3):
        detector.observe("list_files", {}, None)
    assert detector.warned
    assert detector.observe("read_file", {"filename": "x"}, None).nudge is None
    assert not detector.warned
