"""Settings: one TOML file validated into typed sections, secrets from the environment.

A bad file or value stops startup with one line naming the key (exit status 2).
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_COGS = ["help", "timezone", "privacy", "events", "invitations", "moderation", "mentors"]
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/potluck.db"


class StartupError(Exception):
    """The environment stops startup (a bad setting, a taken port, a refused token, an
    unreachable database): one line for the operator, printed as `potluck: <line>` with
    exit status 2, never a traceback."""


class ConfigError(StartupError):
    """One line saying which key is wrong and what is allowed."""


def _platform_id(value: Any) -> Any:
    """Ids pasted from Discord or Slack, as TOML integers or as text: both become text.
    A float or a bool is refused (a float has already lost digits of a 19-digit id)."""
    if isinstance(value, bool | float):
        raise ValueError(f"must be an id, as a whole number or in quotes, not {_toml(value)}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


PlatformId = Annotated[str, BeforeValidator(_platform_id)]
"""A Discord snowflake or Slack id; `123` and `"123"` are the same setting."""


def _snowflake(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"must be a Discord id (digits only), not {_toml(value)}")
    return value


Snowflake = Annotated[str, BeforeValidator(_platform_id), AfterValidator(_snowflake)]
"""A Discord id (guild, application): digits, as a TOML integer or text."""


def _secret(value: Any) -> Any:
    """A token or secret: trimmed, and None when blank, so `token = "  "` (or DISCORD_TOKEN
    set to spaces) counts as no token instead of being tried against the platform."""
    if isinstance(value, str):
        return value.strip() or None
    return value


Secret = Annotated[str | None, BeforeValidator(_secret)]
"""A platform token or signing secret; blank is missing."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class DatabaseSettings(Section):
    url: str = DEFAULT_DATABASE_URL
    echo: bool = False

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, value: Any) -> str:
        wrong = ValueError(
            'must be a text like "sqlite+aiosqlite:///data/potluck.db" or '
            f'"postgresql+asyncpg://user@host/db", not {_toml(value)}'
        )
        if not isinstance(value, str) or not (
            value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")
        ):
            raise wrong
        try:
            parsed = make_url(value)
        except (ArgumentError, ValueError):
            raise wrong from None
        if parsed.get_backend_name() == "sqlite" and not (parsed.database or "").strip():
            # SQLite without a file is a database in memory: it would run, and lose
            # everything at the next stop. ":memory:" written out is still allowed.
            raise ValueError(
                f"names no file, so nothing would be saved; give a file path, like "
                f'"{DEFAULT_DATABASE_URL}", not {_toml(value)}'
            )
        return value


class BotSettings(Section):
    timezone: str = "UTC"
    cogs: list[str] = Field(default_factory=lambda: list(DEFAULT_COGS))
    commands_per_minute: int = Field(default=30, ge=0, le=10_000)
    outbox_poll_seconds: float = Field(default=15.0, gt=0, le=3600)
    # How long a process holds the outbox rows it claimed before another may take them over.
    # A crashed send is repeated after at most this (plus one poll); Discord drops the repeat
    # only within a few minutes of the first, so keep it well under two minutes.
    outbox_lease_seconds: float = Field(default=60.0, gt=0, le=120)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # "text": one human line per record; "json": one JSON object per line (for a log
    # collector), each with the process id, platform, community and error ref.
    log_format: Literal["text", "json"] = "text"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_zone(value)


def _console_name(value: str) -> str:
    """A console person's name, typed after "@" to act as them: not blank, no white space."""
    if not value.strip():
        raise ValueError('must be a name like "librarian", not blank')
    if any(c.isspace() for c in value) or value.startswith(("@", '"', "'")):
        raise ValueError(
            f'must be one word that can follow @ (like "ann_smith"), not {_toml(value)}'
        )
    return value


ConsoleName = Annotated[str, AfterValidator(_console_name)]
"""A name the console acts as (`@name /command`): one word, no spaces."""


class ConsoleSettings(Section):
    user: ConsoleName = "librarian"
    moderators: list[ConsoleName] = Field(default_factory=lambda: ["librarian"])
    organizers: list[ConsoleName] = Field(default_factory=list)
    community: str = "Console chapter"
    channel: str = "general"


class DiscordSettings(Section):
    token: Secret = None
    application_id: Snowflake | None = None
    guild_ids: list[Snowflake] = Field(default_factory=list)
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[int] | None = None
    organizer_roles: list[str] = Field(default_factory=lambda: ["Organizer"])
    moderator_roles: list[str] = Field(default_factory=lambda: ["Moderator"])
    new_dms_per_minute: int = Field(default=10, ge=1, le=120)
    # After Discord says "opening direct messages too fast" (40003), no new DMs for this long.
    new_dm_cooldown_seconds: float = Field(default=900.0, ge=1, le=86_400)
    sync_commands_on_start: bool = True
    # No shard_count: ask Discord how many shards it recommends (AutoShardedClient);
    # false keeps one plain connection.
    auto_shard: bool = True
    # A handler slower than this is acknowledged first (Discord allows 3 s) and edited in later.
    defer_after_seconds: float = Field(default=2.0, ge=0, le=2.8)
    # Gap between two outbox messages to the same channel or person (discord.py also
    # honours Discord's per-route buckets).
    seconds_per_destination: float = Field(default=0.5, ge=0, le=60)


class SlackSettings(Section):
    bot_token: Secret = None
    signing_secret: Secret = None
    app_token: Secret = None
    api_base_url: str = "https://slack.com/api/"
    # Where Slack's HTTP requests arrive. Unset: the bot's web server ([web]) takes them;
    # set: that same server also listens here.
    host: str | None = None
    port: int | None = Field(default=None, ge=0, le=65535)
    command_prefix: str = ""
    organizer_ids: list[PlatformId] = Field(default_factory=list)
    moderator_ids: list[PlatformId] = Field(default_factory=list)
    moderator_usergroup: PlatformId | None = None
    organizer_usergroup: PlatformId | None = None
    seconds_per_channel: float = Field(default=1.0, ge=0, le=60)
    # New direct-message conversations (conversations.open) per minute, shared by every process.
    new_dms_per_minute: int = Field(default=20, ge=1, le=600)
    # Workspace admins and owners (users.info is_admin/is_owner) count as moderators.
    admins_are_moderators: bool = True
    # How long users.info and user-group answers are trusted before asking Slack again.
    people_cache_seconds: float = Field(default=300.0, ge=0, le=86_400)
    # The name shown in Slack and used in `potluck slack manifest`.
    app_name: str = "Potluck"


class WebSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    public_url: str = "http://127.0.0.1:8080"


class Settings(BaseModel):
    model_config = ConfigDict(extra="allow")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    bot: BotSettings = Field(default_factory=BotSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    def cog_section(self, name: str) -> dict[str, Any]:
        """The raw `[name]` table for a cog, validated later by that cog's own model."""
        extra = self.model_extra or {}
        section = extra.get(name, {})
        if not isinstance(section, dict):
            raise ConfigError(f"config error: [{name}] must be a table of settings")
        return section


CORE_SECTIONS = {"database", "bot", "console", "discord", "slack", "web"}


def check_zone(value: str) -> str:
    """`bot.timezone`, read like /timezone set (bot.core.zonenames.resolve_zone): the zone's
    IANA name, old names as the zone they link to. Raises ValueError for anything else,
    with the zone an abbreviation stands for, or for an offset ("UTC+2") the fixed zone
    that keeps it ("Etc/GMT-2") and a place's zone at it."""
    from bot.core.errors import BadOption
    from bot.core.zonenames import fixed_zone, offset_text, places_at, read_offset, resolve_zone

    try:
        return resolve_zone(value)
    except BadOption as exc:
        said = exc.message.split("Did you mean ", 1)
        mean = f" (did you mean {said[1].rstrip('?')}?)" if len(said) == 2 else ""
        offset = read_offset(value)
        if offset is not None:  # "UTC+2": a place's zone, or the fixed one with its sign
            fixed, places = fixed_zone(offset), places_at(offset, limit=1)
            ways = [f'a place\'s zone like "{p}" follows its clock changes' for p in places]
            if fixed is not None:
                ways.insert(0, f'"{fixed}" keeps {offset_text(offset)} all year')
            mean = f" ({'; '.join(ways)})" if ways else ""
        raise ValueError(
            f'must be an IANA time zone like "Europe/Berlin", not {_toml(value)}{mean}'
        ) from None


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read the TOML file (if any), overlay secrets from the environment, validate.

    Validation is pydantic's strict mode: a value must already be of its setting's kind, so
    `port = true` or `port = "80"` is refused rather than read as 1 or 80, and `echo = "yes"`
    is refused rather than read as true. The environment supplies only text settings (tokens,
    secrets, the database URL), which strict mode takes as they are. Raises ConfigError."""
    env = dict(os.environ) if env is None else env
    data: dict[str, Any] = {}
    if path is not None:
        data = read_toml(Path(path))
    secrets = {
        ("discord", "token"): "DISCORD_TOKEN",
        ("slack", "bot_token"): "SLACK_BOT_TOKEN",
        ("slack", "signing_secret"): "SLACK_SIGNING_SECRET",
        ("slack", "app_token"): "SLACK_APP_TOKEN",
        ("database", "url"): "POTLUCK_DATABASE_URL",
    }
    for (section, key), var in secrets.items():
        value = env.get(var, "").strip()  # blank ("  ") is as good as unset
        if value:
            table = data.setdefault(section, {})
            if isinstance(table, dict):
                table[key] = value
    try:
        return Settings.model_validate(data, strict=True)
    except ValidationError as exc:
        raise ConfigError(describe(exc, model=Settings)) from None


def read_toml(file: Path) -> dict[str, Any]:
    """The config file's tables. Raises ConfigError (one line naming the file) when it is
    missing, a folder, unreadable, not UTF-8 or not TOML."""
    if not file.exists():
        raise ConfigError(f"config error: the file {file} does not exist")
    if file.is_dir():
        raise ConfigError(f"config error: {file} is a folder, not a config file")
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"config error: cannot read {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config error: {file} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config error: {file} is not valid TOML: {exc}") from None


# pydantic's error types (its "Validation Errors" reference) in the words of a TOML file.
_KIND_WORDS = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text in quotes",
    "list_type": 'must be a list, like ["a", "b"]',
    "dict_type": "must be a table",
    "model_type": "must be a table",
}


def _toml(value: Any) -> str:
    """A value as it would be written in the config file: "lots", 1.5, true, ["a"]."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


_RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def _field(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> Any:
    """The pydantic FieldInfo at `loc` inside `model` (None when it cannot be found)."""
    field = None
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        field = model.model_fields[part]
        inner = field.annotation
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return field


def _range_words(field: Any, name: str, value: Any) -> str | None:
    """A range error in the file's terms, with both bounds of the setting:
    "must be a whole number from 1 to 365, not -4"; None when the bounds are not found."""
    if field is None:
        return None
    low = high = None
    low_word, high_word = "at least", "at most"
    for rule in field.metadata:  # pydantic's annotated_types.Ge, Gt, Le and Lt
        if getattr(rule, "ge", None) is not None:
            low = rule.ge
        elif getattr(rule, "gt", None) is not None:
            low, low_word = rule.gt, "above"
        elif getattr(rule, "le", None) is not None:
            high = rule.le
        elif getattr(rule, "lt", None) is not None:
            high, high_word = rule.lt, "below"
    kind = "whole number" if field.annotation is int else "number"
    if name == "port":
        kind = "port number"
    if low is not None and high is not None:
        if low_word == "at least" and high_word == "at most":
            return f"must be a {kind} from {_toml(low)} to {_toml(high)}, not {_toml(value)}"
        return (
            f"must be a {kind} {low_word} {_toml(low)} and {high_word} {_toml(high)}, "
            f"not {_toml(value)}"
        )
    if low is not None:
        return f"must be a {kind} {low_word} {_toml(low)}, not {_toml(value)}"
    if high is not None:
        return f"must be a {kind} {high_word} {_toml(high)}, not {_toml(value)}"
    return None


def _did_you_mean(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str:
    """ "; did you mean `timezone`?" for a misspelt setting at `loc`, from the names its
    table knows (difflib's closest match, cutoff 0.6); "" when nothing is close."""
    parent = _field(model, loc[:-1]) if len(loc) > 1 else None
    table = model if len(loc) == 1 else None
    inner = parent.annotation if parent is not None else None
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        table = inner
    if table is None or not loc or not isinstance(loc[-1], str):
        return ""
    close = difflib.get_close_matches(loc[-1], list(table.model_fields), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def describe(exc: ValidationError, prefix: str = "", model: type[BaseModel] | None = None) -> str:
    """The first problem as one line naming the setting as the file writes it:
    `config error: bot.commands_per_minute: must be a whole number, not "lots"`, with list
    items as `discord.guild_ids[0]`. `prefix` is the cog's section for a cog's own model.
    With the `model` validated, a number out of range is worded with both of the setting's
    bounds ("web.port: must be a port number from 0 to 65535, not 70000")."""
    err = exc.errors()[0]
    where = prefix
    for part in err["loc"]:
        if isinstance(part, int):
            where += f"[{part}]"
        else:
            where = f"{where}.{part}" if where else str(part)
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "is not a known setting" + _did_you_mean(model, tuple(err["loc"]))
        message += " (see config.example.toml)"
    elif err["type"] == "literal_error":
        field = _field(model, tuple(err["loc"]))
        choices = get_args(field.annotation) if field is not None else ()
        allowed = ", ".join(str(c) for c in choices) or str(err.get("ctx", {}).get("expected"))
        message = f"must be one of {allowed}, not {_toml(err.get('input'))}"
    elif err["type"] in _KIND_WORDS:
        message = f"{_KIND_WORDS[err['type']]}, not {_toml(err.get('input'))}"
    elif err["type"] in _RANGE_ERRORS:
        leaf = str(err["loc"][-1]) if err["loc"] else ""
        found = _range_words(_field(model, tuple(err["loc"])), leaf, err.get("input"))
        message = found or f"{message}, not {_toml(err.get('input'))}"
    elif err["type"] == "string_too_short" and not err.get("input"):
        message = "must not be blank"
    elif "input" in err and err["type"] not in ("value_error",):
        message = f"{message} (got {_toml(err['input'])})"
    return f"config error: {where}: {message}"


def validate_cog_settings(model: type[BaseModel], name: str, raw: dict[str, Any]) -> BaseModel:
    """A cog's `[name]` table validated into `model`, strictly like the core sections (see
    load_settings). Raises ConfigError naming the setting as `name.key`."""
    try:
        return model.model_validate(raw, strict=True)
    except ValidationError as exc:
        raise ConfigError(describe(exc, prefix=name, model=model)) from None
