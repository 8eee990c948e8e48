"""Reading the story aloud: offline Japanese self-voicing (issue 13).

No pygame here. What a message says aloud (`text`), story.yaml's voice
keys (`keys`), recorded lines (`recorded`), samples and WAV files (`clip`),
the on-disk cache (`cache`) and whether the extra is installed (`extra`)
need only the standard library. The speech engine (`backend`) needs the
`voice` extra; the synthesis worker (`worker`, a thread) and the service
the player drives (`service`) load it on first use. The pygame side is
`engine.app.voice`. Importing this package imports nothing else: the
manifest reads `keys` on every start, and the player pays only for what
it uses.
"""
