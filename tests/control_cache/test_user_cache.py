"""The control silo's user read cache is exact: whoever writes (this process, another engine,
another process of the control silo, plain SQL), the next read sees the write, including writes
that commit between a read and the moment its answer is kept."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from control_silo.bootstrap import ControlSilo
from control_silo.cache.user_cache import UserReadCache
from control_silo.db.base import ControlBase
from control_silo.services.user_hot_reads import HotUserReader, Versioned
from shared.db.engine import make_engine
from shared.errors import NotFound
from shared.services.user.model import NewUser, User, UserUpdate
from shared.services.user.service import UserService
from tests.databases import server_url
from tests.integration.processes import run_silo


class CountingReader(HotUserReader):
    """The real reader, counting full reads and version checks, and running ``after_read`` once
    a read returned (before the cache keeps its answer), ``after_check`` once versions were read
    and ``after_mark`` once a mark was taken."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.reads = 0
        self.checks = 0
        self.after_read: Callable[[], None] | None = None
        self.after_check: Callable[[], None] | None = None
        self.after_mark: Callable[[], None] | None = None

    def mark(self) -> int | None:
        taken = super().mark()
        if self.after_mark is not None:
            hook, self.after_mark = self.after_mark, None
            hook()
        return taken

    def many(self, user_ids: Sequence[int]) -> dict[int, Versioned]:  # type: ignore[override]
        self.reads += 1
        found = super().many(user_ids)
        if self.after_read is not None:
            hook, self.after_read = self.after_read, None
            hook()
        return found

    def versions(self, user_ids: Sequence[int]) -> dict[int, int]:
        self.checks += 1
        current = super().versions(user_ids)
        if self.after_check is not None:
            hook, self.after_check = self.after_check, None
            hook()
        return current


@pytest.fixture
def reader(control_silo: ControlSilo) -> Iterator[CountingReader]:
    counting = CountingReader(control_silo.engine)
    yield counting
    counting.close()


@pytest.fixture
def cache(reader: CountingReader) -> UserReadCache:
    return UserReadCache(reader, ttl=3600)


def _sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement), params)


def _make(users: UserService, name: str) -> User:
    return users.create_user(user=NewUser(username=name, email=f"{name}@example.com", name=name))


def test_a_hit_is_served_from_memory(
    users: UserService, cache: UserReadCache, reader: CountingReader
) -> None:
    alice = _make(users, "alice")
    assert cache.get(alice.id) == users.get_user(user_id=alice.id)
    assert cache.get(alice.id) == alice
    assert cache.get_many([alice.id, alice.id]) == {alice.id: alice}
    assert reader.reads == 1
    assert len(cache) == 1


def _counts_commits(reader: HotUserReader) -> bool:
    return reader.mark() is not None


def test_with_nothing_committed_since_a_hit_reads_no_versions(
    users: UserService, cache: UserReadCache, reader: CountingReader
) -> None:
    if not _counts_commits(reader):
        pytest.skip("only SQLite files count commits; elsewhere every hit reads versions")
    alice = _make(users, "alice")
    cache.get(alice.id)
    for _ in range(3):
        assert cache.get(alice.id) == alice
    assert (reader.reads, reader.checks) == (1, 0)


def test_a_commit_to_another_user_costs_a_version_check_not_a_read(
    users: UserService, cache: UserReadCache, reader: CountingReader
) -> None:
    alice, bert = _make(users, "alice"), _make(users, "bert")
    cache.get(alice.id)
    checks = reader.checks
    users.update_user(user_id=bert.id, update=UserUpdate(name="Bert B"))
    assert cache.get(alice.id) == alice
    assert cache.get(alice.id) == alice
    assert reader.reads == 1
    # One check where commits are counted (the entry is then current again), one per hit
    # where they are not.
    assert reader.checks - checks == (1 if _counts_commits(reader) else 2)


def test_no_reader_connection_is_left_behind_when_the_reader_closes(
    users: UserService, control_silo: ControlSilo
) -> None:
    reader = HotUserReader(control_silo.engine)
    alice = _make(users, "alice")
    threads = [
        threading.Thread(target=lambda: [reader.one(alice.id) for _ in range(20)]) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= reader.open_connections <= 6
    reader.close()
    assert reader.open_connections == 0
    with pytest.raises(RuntimeError, match="closed"):
        reader.one(alice.id)


WRITES: dict[str, tuple[str, Callable[[User], bool]]] = {
    "user row": (
        "UPDATE \"user\" SET first_name = 'Renamed' WHERE id = :id",
        lambda user: user.name == "Renamed",
    ),
    "email added": (
        "INSERT INTO useremail (user_id, email, validation_hash, date_hash_added, is_verified) "
        "VALUES (:id, 'second@example.com', 'h', CURRENT_TIMESTAMP, TRUE)",
        lambda user: "second@example.com" in user.emails,
    ),
    "email verified": (
        "UPDATE useremail SET is_verified = TRUE WHERE user_id = :id",
        lambda user: all(email.is_verified for email in user.useremails),
    ),
    "email removed": (
        "DELETE FROM useremail WHERE user_id = :id",
        lambda user: user.useremails == (),
    ),
    "permission granted": (
        "INSERT INTO userpermission (user_id, permission) VALUES (:id, 'users.admin')",
        lambda user: user.permissions == {"users.admin"},
    ),
    "role granted": (
        "INSERT INTO userroleuser (user_id, role_id, date_added, date_updated) "
        "SELECT :id, id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM userrole "
        "WHERE name = 'Super Admin'",
        lambda user: "users.admin" in user.roles,
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_by_another_engine_is_seen_on_the_next_read(
    write: str,
    users: UserService,
    cache: UserReadCache,
    reader: CountingReader,
    other_engine: Engine,
) -> None:
    bob = _make(users, "bob")
    statement, shows = WRITES[write]
    assert not shows(cache.get(bob.id) or bob)
    _sql(other_engine, statement, id=bob.id)
    after = cache.get(bob.id)
    assert after is not None and shows(after)
    assert after == users.get_user(user_id=bob.id)
    assert reader.reads == 2
    assert cache.get(bob.id) == after
    assert reader.reads == 2


def _grant_super_admin(engine: Engine, user_id: int) -> None:
    statement, _ = WRITES["role granted"]
    _sql(engine, statement, id=user_id)


def test_a_role_changed_or_deleted_is_seen_by_every_holder(
    users: UserService, cache: UserReadCache, other_engine: Engine
) -> None:
    holders = [_make(users, "carol"), _make(users, "dave")]
    for holder in holders:
        _grant_super_admin(other_engine, holder.id)
    before = cache.get_many([holder.id for holder in holders])
    assert all("options.admin" in user.roles for user in before.values())
    _sql(
        other_engine,
        "UPDATE userrole SET permissions = '[\"broadcasts.admin\"]' WHERE name = 'Super Admin'",
    )
    changed = cache.get_many([holder.id for holder in holders])
    assert [changed[holder.id].roles for holder in holders] == [{"broadcasts.admin"}] * 2
    _sql(other_engine, "DELETE FROM userrole WHERE name = 'Super Admin'")
    gone = cache.get_many([holder.id for holder in holders])
    assert [gone[holder.id].roles for holder in holders] == [frozenset()] * 2


def test_a_deleted_user_is_not_found_and_a_reused_id_never_matches_an_old_entry(
    users: UserService, cache: UserReadCache, other_engine: Engine
) -> None:
    erin = _make(users, "erin")
    assert cache.get(erin.id) == erin
    # Everything removed, the version rows too, and the id given to someone else with the same
    # number of writes: a version counted per user would repeat here.
    _sql(other_engine, 'DELETE FROM "user" WHERE id = :id', id=erin.id)
    assert cache.get(erin.id) is None
    _sql(other_engine, "DELETE FROM usercacheversion")
    _sql(
        other_engine,
        'INSERT INTO "user" (id, password, username, first_name, email, is_staff, is_active, '
        "is_superuser, is_managed, is_password_expired, is_unclaimed, flags, date_joined, "
        "avatar_type) VALUES (:id, '', 'frank', 'frank', 'frank@example.com', FALSE, TRUE, "
        "FALSE, FALSE, FALSE, FALSE, 0, CURRENT_TIMESTAMP, 0)",
        id=erin.id,
    )
    frank = cache.get(erin.id)
    assert frank is not None and frank.username == "frank"


def test_a_write_committed_between_a_read_and_keeping_its_answer(
    users: UserService, cache: UserReadCache, reader: CountingReader, other_engine: Engine
) -> None:
    gina = _make(users, "gina")
    reader.after_read = lambda: _sql(
        other_engine, "UPDATE \"user\" SET first_name = 'Later' WHERE id = :id", id=gina.id
    )
    first = cache.get(gina.id)
    assert first is not None and first.name == "gina"  # read before the write committed
    second = cache.get(gina.id)
    assert second is not None and second.name == "Later"


def test_a_write_committed_right_after_a_hit_was_checked_against_versions(
    users: UserService, cache: UserReadCache, reader: CountingReader, other_engine: Engine
) -> None:
    hank, ivan = _make(users, "hank"), _make(users, "ivan")
    assert cache.get(hank.id) == hank
    # A commit elsewhere, so that the next hit has to check hank's version.
    _sql(other_engine, "UPDATE \"user\" SET first_name = 'I' WHERE id = :id", id=ivan.id)
    reader.after_check = lambda: _sql(
        other_engine, "UPDATE \"user\" SET first_name = 'Later' WHERE id = :id", id=hank.id
    )
    assert cache.get(hank.id) == hank  # the answer as of the check, before the write
    assert reader.after_check is None  # the hook ran
    later = cache.get(hank.id)
    assert later is not None and later.name == "Later"


def test_a_write_committed_right_after_a_hit_was_marked(
    users: UserService, cache: UserReadCache, reader: CountingReader, other_engine: Engine
) -> None:
    if not _counts_commits(reader):
        pytest.skip("only SQLite files count commits")
    hank = _make(users, "hank")
    assert cache.get(hank.id) == hank
    reader.after_mark = lambda: _sql(
        other_engine, "UPDATE \"user\" SET first_name = 'Later' WHERE id = :id", id=hank.id
    )
    assert cache.get(hank.id) == hank  # the answer as of the mark, before the write
    assert reader.after_mark is None
    later = cache.get(hank.id)
    assert later is not None and later.name == "Later"
    assert reader.reads == 2


def test_get_many_mixes_hits_stale_entries_and_unknown_ids(
    users: UserService, cache: UserReadCache, reader: CountingReader, other_engine: Engine
) -> None:
    ida, jack = _make(users, "ida"), _make(users, "jack")
    assert set(cache.get_many([ida.id, jack.id, 999_999])) == {ida.id, jack.id}
    _sql(other_engine, "UPDATE \"user\" SET first_name = 'J' WHERE id = :id", id=jack.id)
    found = cache.get_many([jack.id, 999_999, ida.id])
    assert found[ida.id] == ida and found[jack.id].name == "J" and 999_999 not in found
    assert reader.reads == 2


def test_entries_expire_after_the_time_to_live(users: UserService, reader: CountingReader) -> None:
    now = [0.0]
    cache = UserReadCache(reader, ttl=10, clock=lambda: now[0])
    kate = _make(users, "kate")
    cache.get(kate.id)
    now[0] = 9.0
    cache.get(kate.id)
    assert reader.reads == 1
    now[0] = 10.5
    cache.get(kate.id)
    assert reader.reads == 2


def test_a_time_to_live_of_zero_reads_every_time(
    users: UserService, reader: CountingReader
) -> None:
    cache = UserReadCache(reader, ttl=0)
    lena = _make(users, "lena")
    assert cache.get(lena.id) == cache.get(lena.id) == lena
    assert reader.reads == 2 and len(cache) == 0


def test_readers_never_go_back_in_time_while_another_writer_counts_up(
    users: UserService, cache: UserReadCache, other_engine: Engine
) -> None:
    mia = _make(users, "mia")
    writes = 40
    stop = threading.Event()
    seen: list[list[int]] = [[] for _ in range(4)]

    def read(into: list[int]) -> None:
        while not stop.is_set():
            user = cache.get(mia.id)
            assert user is not None
            into.append(user.flags)

    threads = [threading.Thread(target=read, args=(into,)) for into in seen]
    for thread in threads:
        thread.start()
    try:
        for value in range(1, writes + 1):
            _sql(other_engine, 'UPDATE "user" SET flags = :v WHERE id = :id', v=value, id=mia.id)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert all(into == sorted(into) for into in seen)
    final = cache.get(mia.id)
    assert final is not None and final.flags == writes


def test_another_control_process_writing_is_seen_by_this_one(
    users: UserService, control_silo: ControlSilo, control_database_url: str
) -> None:
    nina = _make(users, "nina")
    assert users.get_user(user_id=nina.id) == nina  # now kept by this process's cache
    script = (
        "import sys\n"
        "from control_silo.bootstrap import build_control_silo\n"
        "from shared.config import Settings\n"
        "from shared.services.user.model import UserUpdate\n"
        "from shared.services.user.service import UserService\n"
        "from shared.silo_mode import SiloMode\n"
        "silo = build_control_silo(Settings(mode=SiloMode.CONTROL, database_url=sys.argv[1]))\n"
        "silo.services.get(UserService).update_user(\n"
        "    user_id=int(sys.argv[2]), update=UserUpdate(name='From Elsewhere'))\n"
        "silo.close()\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, control_database_url, str(nina.id)], check=True, timeout=120
    )
    assert users.get_user(user_id=nina.id).name == "From Elsewhere"
    assert users.get_many_by_id(user_ids=[nina.id])[0].name == "From Elsewhere"


def test_the_service_answers_a_deleted_user_with_not_found(
    users: UserService, other_engine: Engine
) -> None:
    olga = _make(users, "olga")
    assert users.get_user(user_id=olga.id) == olga
    _sql(other_engine, 'DELETE FROM "user" WHERE id = :id', id=olga.id)
    with pytest.raises(NotFound):
        users.get_user(user_id=olga.id)
    assert users.get_many_by_id(user_ids=[olga.id]) == []


def test_service_writes_are_seen_at_once(users: UserService) -> None:
    pia = _make(users, "pia")
    assert users.get_user(user_id=pia.id) == pia
    users.update_user(user_id=pia.id, update=UserUpdate(name="Pia B"))
    assert users.get_user(user_id=pia.id).name == "Pia B"


def test_silo_createuser_writing_the_database_directly_is_seen(
    users: UserService, control_database_url: str
) -> None:
    def createuser(*arguments: str) -> None:
        done = run_silo(
            "createuser", "--database-url", control_database_url, "--no-input", *arguments
        )
        assert done.returncode == 0, done.stdout + done.stderr

    createuser("--no-password", "--email", "quinn@example.com")
    (quinn,) = users.get_by_username(username="quinn@example.com", with_valid_password=False)
    assert users.get_user(user_id=quinn.id) == quinn and not quinn.is_superuser
    createuser("--no-password", "--email", "quinn@example.com", "--superuser", "--force-update")
    promoted = users.get_user(user_id=quinn.id)
    assert promoted.is_superuser and promoted.roles == {
        "broadcasts.admin",
        "users.admin",
        "options.admin",
    }


@pytest.mark.skipif(server_url() is None, reason="PostgreSQL connections only")
def test_a_connection_the_server_dropped_is_replaced_without_an_error(
    users: UserService, other_engine: Engine
) -> None:
    rita = _make(users, "rita")
    assert users.get_user(user_id=rita.id) == rita
    with other_engine.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state = 'idle') AS ended"
            )
        ).scalar_one()
    assert ended > 0
    assert users.get_user(user_id=rita.id) == rita
    assert users.get_many_by_id(user_ids=[rita.id, rita.id]) == [rita, rita]


@pytest.mark.skipif(server_url() is None, reason="PostgreSQL sessions only")
def test_times_read_back_exactly_whatever_the_database_session_defaults(
    users: UserService, other_engine: Engine, control_silo: ControlSilo, control_database_url: str
) -> None:
    joined = datetime(1969, 12, 31, 23, 59, 58, 123456, tzinfo=UTC)
    rosa = _make(users, "rosa")
    _sql(
        other_engine,
        'UPDATE "user" SET date_joined = :joined WHERE id = :id',
        joined=joined,
        id=rosa.id,
    )
    with other_engine.connect() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        connection.execute(
            text(f"ALTER DATABASE \"{database}\" SET TimeZone TO 'America/St_Johns'")
        )
        connection.execute(text(f"ALTER DATABASE \"{database}\" SET DateStyle TO 'SQL, DMY'"))
        connection.commit()
    reader = HotUserReader(control_silo.engine)
    engine = make_engine(control_database_url)
    try:
        found = reader.one(rosa.id)
        with engine.connect() as connection:
            stored = connection.execute(
                text('SELECT date_joined FROM "user" WHERE id = :id'), {"id": rosa.id}
            ).scalar_one()
    finally:
        reader.close()
        engine.dispose()
        with other_engine.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{database}" RESET TimeZone'))
            connection.execute(text(f'ALTER DATABASE "{database}" RESET DateStyle'))
            connection.commit()

    assert found is not None
    assert found[1].date_joined == joined
    assert stored == joined


def test_a_deleted_user_leaves_no_version_row_behind(
    users: UserService, other_engine: Engine
) -> None:
    sam = _make(users, "sam")
    users.add_permission(user_id=sam.id, permission="users.admin")
    _grant_super_admin(other_engine, sam.id)
    with other_engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM usercacheversion")).scalar_one()
    _sql(other_engine, 'DELETE FROM "user" WHERE id = :id', id=sam.id)
    with other_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT count(*) FROM usercacheversion WHERE user_id = :id"), {"id": sam.id}
        ).scalar_one()
        after = connection.execute(text("SELECT count(*) FROM usercacheversion")).scalar_one()
    assert (rows, after) == (0, before - 1)


def test_an_in_memory_database_is_read_through_its_one_pooled_connection() -> None:
    engine = make_engine("sqlite://")
    ControlBase.metadata.create_all(engine)
    _sql(
        engine,
        'INSERT INTO "user" (id, password, username, first_name, email, is_staff, is_active, '
        "is_superuser, is_managed, is_password_expired, is_unclaimed, flags, date_joined, "
        "avatar_type) VALUES (5, '', 'uma', 'Uma', 'uma@example.com', FALSE, TRUE, FALSE, "
        "FALSE, FALSE, FALSE, 0, CURRENT_TIMESTAMP, 0)",
    )
    reader = HotUserReader(engine)
    try:
        found = reader.one(5)
        assert found is not None and found[1].username == "uma"
        # Its own connection would open another, empty, database; and one connection's commits
        # are not counted, so a hit is always checked against versions.
        assert reader.open_connections == 0
        assert reader.mark() is None
    finally:
        reader.close()
        engine.dispose()
