"""Reading the story aloud: offline Japanese self-voicing (issue 13).

The pure parts live here, without pygame: what a message says aloud
(`text`), the voice keys of story.yaml (`keys`), recorded lines
(`recorded`), the speech engine (`backend`, needs the `voice` extra), the
on-disk cache (`cache`), the synthesis worker (`worker`, a process of its
own) and the service the player drives (`service`). The pygame side is
`engine.app.voice`. Importing this package imports nothing else: the
manifest reads `keys` on every start, and the player pays only for what
it uses.
"""
