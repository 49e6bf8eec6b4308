"""One turn's working context, shared by the flows: the input, the state, the replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dialogs.messages import Button, Inbound, Outbound, OutboundKind
from dialogs.office import OfficeInfo
from dialogs.ports import DialogRepos, Owner
from dialogs.texts import text

NluResult = Mapping[str, Any]
Understand = Callable[[str], Awaitable[NluResult]]

P_HELP = "cmd:help"
P_OFFICER = "menu:officer"


@dataclass
class Ctx:
    inbound: Inbound
    locale: str
    mode: str
    state: dict[str, Any]
    repos: DialogRepos | None
    understand: Understand
    office: OfficeInfo
    replies: list[Outbound] = field(default_factory=list)
    _nlu: NluResult | None = None

    @property
    def owner(self) -> Owner:
        return Owner(self.inbound.key.channel, self.inbound.key.chat_id)

    @property
    def data(self) -> dict[str, Any]:
        data = self.state.setdefault("data", {})
        assert isinstance(data, dict)
        return data

    def t(self, key: str, **values: Any) -> str:
        return text(self.locale, key, **values)

    def say(self, body: str) -> None:
        self.replies.append(Outbound(body))

    def ask(
        self,
        body: str,
        buttons: Sequence[Button] = (),
        *,
        as_list: bool = False,
        kind: OutboundKind = OutboundKind.TEXT,
        list_title: str = "",
    ) -> None:
        """A message the citizen answers: its options become the typed-number choices."""
        self.state["options"] = [b.payload for b in buttons]
        self.replies.append(
            Outbound(
                body,
                buttons=tuple(buttons),
                as_list=as_list or len(buttons) > 3,
                kind=kind,
                list_title=list_title or (self.t("choose") if len(buttons) > 3 else ""),
            )
        )

    def send(self, message: Outbound) -> None:
        self.replies.append(message)

    async def nlu(self) -> NluResult:
        if self._nlu is None:
            self._nlu = await self.understand(self.inbound.text) if self.inbound.text else {}
        return self._nlu

    async def intent(self, threshold: float = 0.5) -> str:
        nlu = await self.nlu()
        intent = nlu.get("intent") or {}
        if float(intent.get("confidence") or 0.0) < threshold:
            return ""
        return str(intent.get("name") or "")

    def miss(self) -> int:
        misses = int(self.state.get("misses", 0)) + 1
        self.state["misses"] = misses
        return misses

    def help_buttons(self) -> list[Button]:
        return [Button(self.t("btn_help"), P_HELP), Button(self.t("menu_officer"), P_OFFICER)]
