"""Keyboard, mouse, wheel and gamepad events mapped to the player's actions.

Screens ask `action_for(event)` and act on names rather than on keys, so a
gamepad's A button and the Space bar are one thing. Game controllers are
read through SDL's controller API (`pygame._sdl2.controller`), which knows
the button layout of common pads; a plain joystick falls back to the usual
XInput numbering (0 A, 1 B, 4/5 shoulders).
"""

from __future__ import annotations

import pygame

ADVANCE = "advance"  # Space, Enter, Page Down, wheel down, pad A
BACK = "back"  # Page Up: step back one message
WHEEL_UP = "wheel_up"  # back inside the text box, history elsewhere
WHEEL_DOWN = "wheel_down"
CLICK = "click"  # left button; the screen hit-tests event.pos
MENU = "menu"  # Esc, right click, pad B
HISTORY = "history"  # L, pad left shoulder
AUTO = "auto"  # A
SKIP_TOGGLE = "skip_toggle"  # S, pad right shoulder
SKIP_HOLD = "skip_hold"  # Ctrl pressed
SKIP_RELEASE = "skip_release"  # Ctrl released
HIDE = "hide"  # H
SCREENSHOT = "screenshot"  # F12
QUICK_SAVE = "quick_save"  # F5
QUICK_LOAD = "quick_load"  # F9
FULLSCREEN = "fullscreen"  # F11, Alt+Enter
SWITCH_VIEW = "switch_view"  # Tab
VOICE_TOGGLE = "voice_toggle"  # V: self-voicing on and off
DICTIONARY = "dictionary"  # D, pad Back: the popup dictionary on the text's first word
UP, DOWN, LEFT, RIGHT = "up", "down", "left", "right"
HOME, END = "home", "end"

_KEYS: dict[int, str] = {
    pygame.K_SPACE: ADVANCE,
    pygame.K_RETURN: ADVANCE,
    pygame.K_KP_ENTER: ADVANCE,
    pygame.K_PAGEDOWN: ADVANCE,
    pygame.K_PAGEUP: BACK,
    pygame.K_ESCAPE: MENU,
    pygame.K_l: HISTORY,
    pygame.K_a: AUTO,
    pygame.K_s: SKIP_TOGGLE,
    pygame.K_LCTRL: SKIP_HOLD,
    pygame.K_RCTRL: SKIP_HOLD,
    pygame.K_h: HIDE,
    pygame.K_F12: SCREENSHOT,
    pygame.K_F5: QUICK_SAVE,
    pygame.K_F9: QUICK_LOAD,
    pygame.K_F11: FULLSCREEN,
    pygame.K_TAB: SWITCH_VIEW,
    pygame.K_v: VOICE_TOGGLE,
    pygame.K_d: DICTIONARY,
    pygame.K_UP: UP,
    pygame.K_DOWN: DOWN,
    pygame.K_LEFT: LEFT,
    pygame.K_RIGHT: RIGHT,
    pygame.K_HOME: HOME,
    pygame.K_END: END,
}

# SDL game-controller buttons (layout-independent names).
_PAD: dict[int, str] = {
    pygame.CONTROLLER_BUTTON_A: ADVANCE,
    pygame.CONTROLLER_BUTTON_B: MENU,
    pygame.CONTROLLER_BUTTON_LEFTSHOULDER: HISTORY,
    pygame.CONTROLLER_BUTTON_RIGHTSHOULDER: SKIP_TOGGLE,
    pygame.CONTROLLER_BUTTON_DPAD_UP: UP,
    pygame.CONTROLLER_BUTTON_DPAD_DOWN: DOWN,
    pygame.CONTROLLER_BUTTON_DPAD_LEFT: LEFT,
    pygame.CONTROLLER_BUTTON_DPAD_RIGHT: RIGHT,
    pygame.CONTROLLER_BUTTON_Y: HIDE,
    pygame.CONTROLLER_BUTTON_X: AUTO,
    pygame.CONTROLLER_BUTTON_BACK: DICTIONARY,
}

# Raw joystick buttons in the XInput order most pads report.
_JOY: dict[int, str] = {0: ADVANCE, 1: MENU, 2: AUTO, 3: HIDE, 4: HISTORY, 5: SKIP_TOGGLE}


def action_for(event: pygame.event.Event) -> str | None:
    """The action an input event stands for, or None if it means nothing to the player."""
    kind = event.type
    if kind == pygame.KEYDOWN:
        if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER) and event.mod & pygame.KMOD_ALT:
            return FULLSCREEN
        return _KEYS.get(event.key)
    if kind == pygame.KEYUP:
        return SKIP_RELEASE if event.key in (pygame.K_LCTRL, pygame.K_RCTRL) else None
    if kind == pygame.MOUSEBUTTONDOWN:
        return {1: CLICK, 3: MENU}.get(event.button)
    if kind == pygame.MOUSEWHEEL:
        if event.y > 0:
            return WHEEL_UP
        return WHEEL_DOWN if event.y < 0 else None
    if kind == pygame.CONTROLLERBUTTONDOWN:
        return _PAD.get(event.button)
    if kind == pygame.JOYBUTTONDOWN and not Gamepads.is_controller(event.instance_id):
        return _JOY.get(event.button)
    if kind == pygame.JOYHATMOTION and not Gamepads.is_controller(event.instance_id):
        return {(0, 1): UP, (0, -1): DOWN, (-1, 0): LEFT, (1, 0): RIGHT}.get(tuple(event.value))
    return None


class Gamepads:
    """Opens pads as they are plugged in; SDL only sends events for opened devices."""

    _controllers: dict[int, object] = {}
    _joysticks: dict[int, object] = {}

    _started = False

    @classmethod
    def start(cls) -> None:
        """Start listening for pads; SDL then reports those already plugged in as added."""
        if cls._started:
            return
        cls._started = True
        try:
            pygame.joystick.init()
            from pygame._sdl2 import controller

            controller.init()
        except (ImportError, pygame.error):
            pass  # no joystick support in this SDL build: keyboard and mouse still work

    @classmethod
    def is_controller(cls, instance_id: int) -> bool:
        return instance_id in cls._controllers

    @classmethod
    def handle_device(cls, event: pygame.event.Event) -> bool:
        """Open or forget a pad on hot-plug events; True if the event was one of those."""
        if event.type == pygame.CONTROLLERDEVICEADDED:
            cls._open_controller(event.device_index)
        elif event.type == pygame.JOYDEVICEADDED:
            cls._open_joystick(event.device_index)
        elif event.type in (pygame.CONTROLLERDEVICEREMOVED, pygame.JOYDEVICEREMOVED):
            cls._controllers.pop(event.instance_id, None)
            cls._joysticks.pop(event.instance_id, None)
        else:
            return False
        return True

    @classmethod
    def _open_controller(cls, index: int) -> None:
        try:
            from pygame._sdl2 import controller

            if not controller.get_init():
                controller.init()
            if controller.is_controller(index):
                pad = controller.Controller(index)
                cls._controllers[pad.as_joystick().get_instance_id()] = pad
        except (ImportError, pygame.error):
            pass  # the joystick path below still gives basic buttons

    @classmethod
    def _open_joystick(cls, index: int) -> None:
        try:
            stick = pygame.joystick.Joystick(index)
            cls._joysticks[stick.get_instance_id()] = stick
        except pygame.error:
            pass
