# Valid: a generator-based awaitable whose bare yield gives up one turn (what sleep(0) does inside).
# alternative ex1_3_workers_take_turns ex1_3_no_time_no_blocking
# %% replace ex1_3_worker
import types


@types.coroutine
def next_turn():
    yield


async def worker(name, log, turns):
    for _ in range(turns):
        log.append(name)
        await next_turn()
