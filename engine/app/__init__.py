"""The pygame shell: the window, the loop, and the screens of the player.

How the pieces fit (read this before adding a screen)
-----------------------------------------------------

`Session` (engine/app/app.py) holds everything the screens share:

- ``story`` (engine.model.Story), ``runtime`` (engine.runtime.Runtime: the
  cursor, advance/back/jump, ``history_window``), ``marks`` (ReadMarks),
  ``prefs`` (Preferences; change them only through
  ``session.update_prefs(**changes)``, which applies volumes and language at
  once and persists), ``saves`` (SaveStore), ``story_id``, ``options``
  (PlayOptions from the command line), ``assets`` (cached images/sounds),
  ``audio`` (music and sounds), and lazily ``fonts`` (FontSet),
  ``renderer`` (the one TextRenderer, so glyph and page caches are shared),
  ``ui_text`` (interface labels) and ``frame`` (draws a reading frame).
- Shared reading modes: ``auto``, ``skip`` (toggled), ``skip_held`` (Ctrl);
  ``skipping`` is either. Both views honour them.
- Helpers: ``write_save(slot, view, thumbnail_png)``, ``restore(data)``
  (locates a save after script edits and returns a note if it moved),
  ``latest_save()`` (Continue; damaged files skipped), ``mark_read(now)``,
  ``save_marks()``, ``view_for(scene)``, ``default_view(scene)``, ``view_chosen``.

`App` (engine/app/app.py) owns the window and a stack of `Screen` objects
(engine/app/screen.py). Only the top screen gets input and runs its clocks;
screens are drawn from the topmost ``opaque`` one upward, so an overlay
(``opaque = False``) draws over the frame below it. Stack operations:
``push``, ``pop(screen=None)``, ``replace``, ``reset`` (clear and show one).

Registry: ``app.open(name, **kwargs)`` pushes a screen by name, importing its
module on first use; a module that does not exist yet gives a one-line
"not available" toast instead of an error. Names (``SCREENS`` in app.py):

    "title"    engine.app.title.TitleScreen
    "scenes"   engine.app.title.SceneSelectScreen
    "backlog"  engine.app.backlog.BacklogScreen(app)
    "save"     engine.app.saveload.SaveLoadScreen(app, mode="save")
    "load"     engine.app.saveload.SaveLoadScreen(app, mode="load")
    "settings" engine.app.settings_screen.SettingsScreen(app)
    "menu"     engine.app.gamemenu.GameMenuScreen(app)   (Esc / pad B)

Every registered class is constructed as ``Cls(app, **kwargs)``.

Views (``VIEWS``): "adv" -> engine.app.reading.ReadingScreen, "chat" ->
engine.app.chat.ChatScreen. Both inherit engine.app.view.ViewScreen, which
holds what the views share: the quick menu (``quick(key)``: back, auto, skip,
or the screen it opens), quick save/load, the UI toggle, Ctrl skip, the keys
every view answers (a view adds its own in ``extra_keys()``), the auto/skip
timing (``_next_move``; a view may change ``_auto_wait``), skipping stopping
at an unread message, entering a scene (music, autosave, handing over to the
other view when story.yaml sets it), the end of the story, and autosave in
``on_quit`` (``app.save_game("auto")``). A view screen has a class attribute
``view_name`` ("adv"/"chat"), reads ``session.runtime`` on ``on_enter``
(``show_first()``), lists its ``quick_buttons()``, defines ``back()`` and calls
``app.note_first_message_frame()`` after drawing a message. It may define
``draw_still(surface)``: the current message drawn complete, without the
typewriter's or the typing dots' progress (save thumbnails use it). Tab calls
``app.switch_view()``, which replaces the stack with the other view at the
same cursor.

Which view is shown (one rule, in-session and across saves):

- A view the player chose holds until they choose again: ``--view``, Tab
  (both set ``session.options.view`` for this session) or the Settings view
  (``prefs.view``, kept across sessions; choosing it there clears the session
  choice). ``session.view_chosen`` says whether there is a choice.
- With no choice, story.yaml decides at every scene change (a scene's
  ``view:``, else the story's): the view screen hands over to the other view
  on entering a scene set to it.
- A save records the view being read (``SaveData.view``). Continue and Load
  (``session.restore``) bring that view back; it is held as the player's
  choice when it differs from what Settings/story.yaml pick at that message,
  and otherwise story.yaml goes on deciding per scene. (A save does not
  record whether its view was chosen, so a choice equal to the story's own
  view at the saved message is not held after loading.)

Other App services: ``start_reading(cursor=None, note=None)``,
``load_game(save_data)`` (jump + toast if the script moved),
``save_game(slot)`` (with a thumbnail of the reading frame),
``go_title()``, ``toast(text)``, ``quit(code)``, ``screenshot()``,
``reading_screen()``, ``thumbnail_png()``; ``frames_drawn`` counts frames.
For live reload (``play --watch``, engine.app.overlay.LiveReload):
``every(seconds, callback)`` runs a periodic callback (a watcher's tick) from
the loop; ``session.replace_story(story)`` swaps in an edited story (the
runtime relocated in place, frame caches dropped, fonts reloaded if
story.yaml changed them) and ``story_replaced(note)`` then shows it at the
runtime's cursor in the same view (menus over it are closed);
``set_overlay(obj)`` draws ``obj.draw(canvas)`` over every screen (None
removes it) without taking input, e.g. the diagnostics of a broken save.

Toasts (``toast(text)``) are drawn in the top screen's ``toast_area()``
(Screen: across the top by default; the chat view under its header, the
save/load screens in their footer) and below an overlay's rect when
``obj.draw`` returns one; ``toast_rects()`` says where they are.

Input redraws the frame unless ``handle`` returns False (nothing visible
changed, e.g. a mouse move over no button). Idle is idle: each turn the loop asks the top screen's ``wake_in()`` (None:
nothing pending, 0: animating) and blocks in ``pygame.event.wait`` when there
is nothing to draw. ``update(dt)`` returns True only when something visible
changed; ``draw`` may return the list of rects it changed (drawn only when
``app.partial_ok``), else the whole canvas is presented.

The canvas is always 1280×720 (``CANVAS``); the window may be any size and
is letterboxed. Mouse positions reach screens in canvas coordinates. Map
events to actions with ``engine.app.input.action_for(event)``; widgets and the
theme are in engine.app.ui; interface strings in engine.app.i18n (``tr`` and
``register`` for a screen's own keys).
"""

import os

# pygame prints a banner on import; the player's stdout carries benchmark figures.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# The player draws into a software surface and presents a few frames a second
# at most; SDL's default (an OpenGL/Direct3D renderer behind the window
# surface) only adds start-up time and memory for that. Under X11 with Mesa it
# costs ~0.4 s and ~95 MB, and a present takes 7 ms instead of 0.4 ms. Set
# SDL_FRAMEBUFFER_ACCELERATION=1 to get it back.
os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")
