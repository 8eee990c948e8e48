"""The voice worker and service: cancelling on advance, the disk cache, recorded lines.

A fake speech engine stands in for OpenJTalk here (these run without the
extra); tests/test_voice_engine.py drives the real one.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from engine.manifest import load_story
from engine.model import Message, Story
from engine.voice.cache import ClipCache, clip_key
from engine.voice.clip import Clip, read_wav, write_wav
from engine.voice.recorded import line_stem, recorded_file
from engine.voice.service import VoiceService
from engine.voice.text import spoken_plain
from engine.voice.worker import FAILED, Job, Worker

LOG = "--- LOG START --- 2025.03.14 21:05\n{body}\n--- LOG END ---\n"


class FakeSynth:
    """One sample per character of text; can be held at a gate to test cancelling."""

    def __init__(self) -> None:
        self.rendered: list[str] = []
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self.fail_on: str | None = None

    def render(self, utterance, stop=None):  # noqa: ANN001, ANN201 - the Synth protocol
        return self.render_chunks(utterance.chunks(), utterance.voice, stop)

    def render_chunks(self, chunks, voice, stop=None):  # noqa: ANN001, ANN201
        self.entered.set()
        text = "".join(c for c, _ in chunks)
        for chunk, _pause in chunks:
            if self.gate is not None:
                self.gate.wait(10)
            if stop is not None and stop():
                return None
            if chunk == self.fail_on:
                raise RuntimeError("engine broke")
        self.rendered.append(text)
        return Clip(b"\x01\x00" * len(text), 1000)


def make_worker(tmp_path: Path, synth: FakeSynth | None = None) -> tuple[Worker, FakeSynth]:
    synth = synth or FakeSynth()
    worker = Worker(synth, ClipCache(tmp_path / "cache"), from_clip=lambda c: c,
                    from_file=lambda p: ("file", p) if p.exists() else None)
    return worker, synth


def job(text: str) -> Job:
    return Job(utterance=spoken_plain(text))


def test_a_wanted_line_is_synthesized_and_then_comes_from_the_cache(tmp_path: Path) -> None:
    worker, synth = make_worker(tmp_path)
    key = worker.key(job("こんにちは。"))
    worker.want(key, job("こんにちは。"), urgent=True)
    assert worker.wait_idle()
    assert worker.take(key) == Clip(b"\x01\x00" * 6, 1000)
    assert (worker.hits, worker.misses) == (0, 1)
    worker.close()
    again, synth2 = make_worker(tmp_path)  # a new run: the disk cache answers
    again.want(key, job("こんにちは。"))
    assert again.wait_idle()
    assert again.take(key) is not None and synth2.rendered == []
    assert (again.hits, again.misses) == (1, 0)
    again.close()


def test_a_line_of_several_sentences_comes_in_two_parts_and_is_cached_whole(
        tmp_path: Path) -> None:
    from engine.voice.worker import head_key, rest_key

    worker, synth = make_worker(tmp_path)
    line = job("一つ目。二つ目です。三。")
    key = worker.key(line)
    worker.want(key, line, urgent=True)
    assert worker.wait_idle()
    assert synth.rendered == ["一つ目。", "二つ目です。三。"]  # the first sentence alone first
    assert worker.take(head_key(key)) == Clip(b"\x01\x00" * 4, 1000)
    assert worker.take(rest_key(key)) == Clip(b"\x01\x00" * 8, 1000)
    assert worker.take(key) is None
    assert ClipCache(tmp_path / "cache").get(key) == Clip(b"\x01\x00" * 12, 1000)
    worker.want(key, line)  # made already: not made again
    assert worker.wait_idle() and len(synth.rendered) == 2
    worker.close()


def test_the_worker_keeps_the_cache_under_its_limit(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "cache", limit=5000)
    for name in ("aa01", "aa02", "aa03", "aa04"):
        cache.put(name, Clip(b"\x00\x00" * 1000, 1000))
    worker = Worker(FakeSynth(), cache, from_clip=lambda c: c, from_file=lambda p: None)
    assert worker.wait_idle()
    worker.close()
    assert sum(p.stat().st_size for p in (tmp_path / "cache").glob("*/*.wav")) <= 5000


def test_advancing_cancels_queued_and_running_work(tmp_path: Path) -> None:
    synth = FakeSynth()
    synth.gate = threading.Event()
    worker, _ = make_worker(tmp_path, synth)
    first, second, third = job("一。二。"), job("三。"), job("四。")
    k1, k2, k3 = worker.key(first), worker.key(second), worker.key(third)
    worker.want(k1, first, urgent=True)
    worker.want(k2, second)
    assert synth.entered.wait(5)  # k1 is in progress, held at the gate
    worker.keep_only([k3])  # the player moved on to the third line
    worker.want(k3, third, urgent=True)
    synth.gate.set()
    assert worker.wait_idle()
    assert synth.rendered == ["四。"]
    assert worker.take(k1) is None and worker.take(k2) is None
    assert worker.take(k3) is not None
    worker.close()


def test_urgent_work_goes_before_prepared_work(tmp_path: Path) -> None:
    synth = FakeSynth()
    synth.gate = threading.Event()
    worker, _ = make_worker(tmp_path, synth)
    jobs = [job(t) for t in ("あ。", "い。", "う。", "え。")]
    keys = [worker.key(j) for j in jobs]
    worker.want(keys[0], jobs[0])
    assert synth.entered.wait(5)
    worker.want(keys[1], jobs[1])
    worker.want(keys[2], jobs[2])
    worker.want(keys[3], jobs[3], urgent=True)
    synth.gate.set()
    assert worker.wait_idle()
    assert synth.rendered == ["あ。", "え。", "い。", "う。"]
    worker.close()


def test_an_engine_error_fails_that_line_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                              ) -> None:
    synth = FakeSynth()
    synth.fail_on = "だめ。"
    worker, _ = make_worker(tmp_path, synth)
    bad, good = job("だめ。"), job("よし。")
    worker.want(worker.key(bad), bad)
    worker.want(worker.key(good), good)
    assert worker.wait_idle()
    assert worker.take(worker.key(bad)) is FAILED
    assert worker.take(worker.key(good)) is not None
    assert capsys.readouterr().err.count("engine broke") == 1
    worker.close()


def test_cache_key_changes_with_text_and_voice() -> None:
    from engine.model import Voice

    base = clip_key(spoken_plain("はい。"), "e")
    assert clip_key(spoken_plain("はい。"), "e") == base
    assert clip_key(spoken_plain("いいえ。"), "e") != base
    assert clip_key(spoken_plain("はい。", Voice(pitch=1.0)), "e") != base
    assert clip_key(spoken_plain("はい。"), "other-engine") != base


def test_a_damaged_cache_file_is_a_miss_and_prune_keeps_the_limit(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path, limit=3000)
    cache.put("aa11", Clip(b"\x00\x00" * 1000, 1000))
    assert cache.get("aa11") is not None
    cache.path("aa11").write_bytes(cache.path("aa11").read_bytes()[:100])  # cut short
    assert cache.get("aa11") is None
    for name in ("bb01", "bb02", "bb03"):
        cache.put(name, Clip(b"\x00\x00" * 1000, 1000))
    assert cache.prune() >= 2
    assert sum(p.stat().st_size for p in tmp_path.glob("*/*.wav")) <= 3000


def test_wav_round_trip_and_refusals(tmp_path: Path) -> None:
    clip = Clip(bytes(range(200)), 22050)
    write_wav(tmp_path / "a" / "x.wav", clip)
    assert read_wav(tmp_path / "a" / "x.wav") == clip
    assert read_wav(tmp_path / "missing.wav") is None
    (tmp_path / "junk.wav").write_bytes(b"RIFF not really")
    assert read_wav(tmp_path / "junk.wav") is None
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["x.wav"]  # no temp file left


# --- the service: recorded lines first, prepared ahead ---------------------------


def story_with(tmp_path: Path, body: str, yaml_extra: str = "") -> Story:
    (tmp_path / "ch").mkdir(exist_ok=True)
    (tmp_path / "ch" / "one.log").write_text(LOG.format(body=body), encoding="utf-8")
    (tmp_path / "story.yaml").write_text(
        "title: t\nscripts: [ch/one.log]\n" + yaml_extra, encoding="utf-8")
    return load_story(tmp_path)


def lines(story: Story) -> list[Message]:
    return [m for s in story.scripts for m in s.messages]


def test_recorded_files_are_found_by_script_and_line(tmp_path: Path) -> None:
    story = story_with(tmp_path, "A: 一。\nA: 二。\nA: 三。", "voice: {recorded: rec}\n")
    first, second, third = lines(story)
    assert str(line_stem(story, second)) == "ch/one/3"
    (tmp_path / "rec" / "ch" / "one").mkdir(parents=True)
    (tmp_path / "rec" / "ch" / "one" / "3.ogg").write_bytes(b"OggS")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.wav"
    outside.write_bytes(b"RIFF")
    (tmp_path / "rec" / "ch" / "one" / "4.wav").symlink_to(outside)
    assert recorded_file(story, first) is None
    assert recorded_file(story, second) == (tmp_path / "rec/ch/one/3.ogg").resolve()
    assert recorded_file(story, third) is None  # a symlink out of the story is never played


def test_service_prefers_recorded_lines_and_prepares_ahead(tmp_path: Path) -> None:
    story = story_with(tmp_path, "A: 一。\nA: 二。\nA:（笑う）\nA: 四。\nA: 五。",
                       "voice: {recorded: rec}\n")
    (tmp_path / "rec" / "ch" / "one").mkdir(parents=True)
    (tmp_path / "rec" / "ch" / "one" / "2.wav").write_bytes(b"RIFF")
    synth = FakeSynth()
    service = VoiceService(story, from_clip=lambda c: c,
                           from_file=lambda p: ("file", p), cache=ClipCache(tmp_path / "c"),
                           synth=synth)
    msgs = lines(story)
    key = service.say(msgs[0], ahead=msgs[1:])
    assert key is not None
    assert service.worker is not None and service.worker.wait_idle()
    assert service.ready(key) == ("file", (tmp_path / "rec/ch/one/2.wav").resolve())
    # The silent direction is passed over: 二 and 四 are prepared, 五 is not yet.
    assert sorted(synth.rendered) == ["二。", "四。"]
    assert service.say(msgs[2]) is None  # a message with nothing to say
    service.close()


def test_service_without_the_extra_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.voice.service as service_mod

    monkeypatch.setattr(service_mod, "missing", lambda: ("pyopenjtalk-plus",))
    reason = service_mod.unavailable()
    assert reason is not None
    assert "pyopenjtalk-plus" in reason and 'pip install -e ".[voice]"' in reason



def test_service_reads_an_edited_story_with_its_new_voices(tmp_path: Path) -> None:
    story = story_with(tmp_path, "A: 一。", "characters:\n  A: {voice: {speed: 1.5}}\n")
    service = VoiceService(story, from_clip=lambda c: c, from_file=lambda p: p, synth=FakeSynth(),
                           cache=ClipCache(tmp_path / "c"))
    first = service.job(lines(story)[0])
    assert first is not None and first.utterance is not None
    assert first.utterance.voice.speed == 1.5
    edited = story_with(tmp_path, "A: 一。", "characters:\n  A: {voice: {speed: 0.8}}\n")
    service.set_story(edited)
    again = service.job(lines(edited)[0])
    assert again is not None and again.utterance is not None
    assert again.utterance.voice.speed == 0.8
