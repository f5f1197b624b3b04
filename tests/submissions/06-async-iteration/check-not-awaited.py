# Calls the async check without await: a coroutine object is always true, so every order passes and the
# check never runs ("coroutine ... was never awaited").
# expect ex6_4_keeps_big_orders 0
# expect ex6_4_awaits_every_check 0
# %% replace ex6_4_big_order_ids
async def big_order_ids(stream, is_big):
    return [order_id async for order_id, amount in stream if is_big(amount)]
