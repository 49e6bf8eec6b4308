"""The dialog step: one citizen message in, the new state and the replies out.

State is plain JSON data (stored by the pipeline), never objects in memory, so any server process
can continue any conversation. Global commands are checked before the current flow sees the input.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dialogs.messages import Button, Inbound, Outbound
from dialogs.office import OfficeInfo, load_office_info
from dialogs.texts import text

# What the NLU returns: Rasa's /model/parse shape (intent, entities) plus `kbli` and `language`.
NluResult = Mapping[str, Any]
Understand = Callable[[str], Awaitable[NluResult]]

MENU = "menu"
P_REQUIREMENTS = "menu:requirements"
P_APPLY = "menu:apply"
P_STATUS = "menu:status"
P_OFFICER = "menu:officer"
P_OFFICE = "menu:office"
P_LANGUAGE = "menu:language"
P_MENU = "cmd:menu"

# Exact words that work at every step, whatever the NLU thinks (normalized lower-case).
COMMANDS: dict[str, str] = {
    "menu": "menu",
    "/menu": "menu",
    "/start": "menu",
    "menu utama": "menu",
    "kembali": "back",
    "back": "back",
    "batal": "cancel",
    "/batal": "cancel",
    "cancel": "cancel",
    "bantuan": "help",
    "/help": "help",
    "help": "help",
    "tolong": "help",
    "petugas": "officer",
    "officer": "officer",
    "english": "language:en",
    "bahasa inggris": "language:en",
    "indonesia": "language:id",
    "bahasa indonesia": "language:id",
}

INTENT_CONFIDENCE = 0.5


@dataclass
class Turn:
    inbound: Inbound
    locale: str
    mode: str
    state: dict[str, Any]
    # Repositories bound to this turn's transaction (built by the composition root), so dialogs
    # reach stored data without importing the database layer.
    repos: Any = None


@dataclass
class TurnResult:
    state: dict[str, Any]
    replies: list[Outbound] = field(default_factory=list)
    locale: str = "id"
    mode: str = "bot"


def _normalize(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


class DialogEngine:
    def __init__(self, understand: Understand, office: OfficeInfo | None = None) -> None:
        self._understand = understand
        self._office = office or load_office_info()

    async def handle(self, turn: Turn) -> TurnResult:
        state = dict(turn.state)
        locale = turn.locale
        inbound = turn.inbound
        payload = inbound.payload or self._picked_option(inbound.text, state)
        result = TurnResult(state=state, locale=locale, mode=turn.mode)

        if inbound.unsupported:
            result.replies.append(Outbound(text(locale, "unsupported")))
            return result
        if inbound.attachments and not payload and not inbound.text:
            result.replies.append(Outbound(text(locale, "file_not_expected")))
            result.replies.append(self._menu(locale, result))
            return result

        command = COMMANDS.get(_normalize(inbound.text)) if not payload else None
        if payload == P_MENU:
            command = "menu"
        if payload == P_LANGUAGE:
            command = "language:" + ("en" if locale == "id" else "id")
        if command is None and not payload and inbound.text.strip():
            nlu = await self._understand(inbound.text)
            return self._by_intent(nlu, result)
        if command is not None:
            return self._command(command, result)
        return self._by_payload(payload, result)

    # -- routing ---------------------------------------------------------------------------

    def _command(self, command: str, result: TurnResult) -> TurnResult:
        locale = result.locale
        if command.startswith("language:"):
            result.locale = command.split(":", 1)[1]
            result.replies.append(Outbound(text(result.locale, "language_switched")))
            result.replies.append(self._menu(result.locale, result))
        elif command == "menu":
            result.state = {}
            result.replies.append(self._menu(locale, result, greet=True))
        elif command == "back":
            result.state = {}
            result.replies.append(self._menu(locale, result, intro=text(locale, "back_at_menu")))
        elif command == "cancel":
            had_flow = bool(result.state.get("flow"))
            result.state = {}
            key = "cancelled" if had_flow else "nothing_to_cancel"
            result.replies.append(self._menu(locale, result, intro=text(locale, key)))
        elif command == "help":
            result.replies.append(self._menu(locale, result, intro=text(locale, "help")))
        elif command == "officer":
            return self._by_payload(P_OFFICER, result)
        return result

    def _by_payload(self, payload: str, result: TurnResult) -> TurnResult:
        locale = result.locale
        result.state["misses"] = 0
        if payload == P_OFFICE:
            result.replies.append(Outbound(self._office_text(locale)))
            result.replies.append(self._menu(locale, result))
        elif payload in (P_REQUIREMENTS, P_APPLY, P_STATUS, P_OFFICER):
            feature_key = {
                P_REQUIREMENTS: "menu_requirements",
                P_APPLY: "menu_apply",
                P_STATUS: "menu_status",
                P_OFFICER: "menu_officer",
            }[payload]
            feature = text(locale, feature_key)
            result.replies.append(Outbound(text(locale, "coming_soon", feature=feature)))
            result.replies.append(self._menu(locale, result))
        else:
            return self._not_understood(result)
        return result

    def _by_intent(self, nlu: NluResult, result: TurnResult) -> TurnResult:
        intent = nlu.get("intent") or {}
        name = str(intent.get("name") or "")
        confidence = float(intent.get("confidence") or 0.0)
        locale = result.locale
        if confidence < INTENT_CONFIDENCE:
            name = ""
        simple = {
            "greet": None,
            "thanks": "thanks_reply",
            "goodbye": "goodbye_reply",
            "out_of_scope": "out_of_scope",
        }
        if name in simple:
            result.state["misses"] = 0
            key = simple[name]
            if key is None:
                result.replies.append(self._menu(locale, result, greet=True))
            else:
                result.replies.append(Outbound(text(locale, key)))
                if name == "out_of_scope":
                    result.replies.append(self._menu(locale, result))
            return result
        routed = {
            "ask_office_info": P_OFFICE,
            "ask_requirements": P_REQUIREMENTS,
            "inform_business": P_REQUIREMENTS,
            "ask_documents": P_REQUIREMENTS,
            "ask_cost": P_REQUIREMENTS,
            "ask_duration": P_REQUIREMENTS,
            "apply_permit": P_APPLY,
            "check_status": P_STATUS,
            "talk_to_human": P_OFFICER,
            "complaint": P_OFFICER,
        }
        if name in routed:
            return self._by_payload(routed[name], result)
        commands = {"help": "help", "cancel": "cancel"}
        if name in commands:
            return self._command(commands[name], result)
        if name == "change_language":
            language = str(nlu.get("language") or "")
            target = "en" if language == "en" or locale == "id" else "id"
            return self._command(f"language:{target}", result)
        return self._not_understood(result)

    def _not_understood(self, result: TurnResult) -> TurnResult:
        misses = int(result.state.get("misses", 0)) + 1
        result.state["misses"] = misses
        key = "not_understood" if misses < 2 else "not_understood_again"
        result.replies.append(self._menu(result.locale, result, intro=text(result.locale, key)))
        return result

    # -- rendering -------------------------------------------------------------------------

    def _menu(
        self, locale: str, result: TurnResult, *, greet: bool = False, intro: str = ""
    ) -> Outbound:
        buttons = (
            Button(text(locale, "menu_requirements"), P_REQUIREMENTS),
            Button(text(locale, "menu_apply"), P_APPLY),
            Button(text(locale, "menu_status"), P_STATUS),
            Button(text(locale, "menu_officer"), P_OFFICER),
            Button(text(locale, "menu_office"), P_OFFICE),
            Button(text(locale, "menu_language"), P_LANGUAGE),
        )
        result.state["options"] = [b.payload for b in buttons]
        head = text(locale, "greeting") if greet else intro
        body = f"{head}\n\n{text(locale, 'menu_prompt')}" if head else text(locale, "menu_prompt")
        return Outbound(body, buttons=buttons, as_list=True, list_title="Menu")

    def _office_text(self, locale: str) -> str:
        office = self._office
        lang = locale if locale in office.hours else "id"
        return text(
            locale,
            "office_info",
            name=office.name,
            address=office.address,
            hours="\n".join(f"• {h}" for h in office.hours[lang]),
            bring="\n".join(f"• {b}" for b in office.bring[lang]),
            website=office.website,
        )

    @staticmethod
    def _picked_option(typed: str, state: Mapping[str, Any]) -> str:
        """A typed number picks the numbered option of the last question (terminal, SMS-like)."""
        options = state.get("options") or []
        stripped = typed.strip().rstrip(".")
        if stripped.isdigit() and 1 <= int(stripped) <= len(options):
            return str(options[int(stripped) - 1])
        return ""
