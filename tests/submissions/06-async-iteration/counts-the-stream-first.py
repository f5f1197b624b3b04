# Counts the orders with a first comprehension, then filters with a second one over the same stream: the first one
# used the async generator up, so the second sees no orders and the check never runs.
# expect ex6_4_keeps_big_orders 0
# expect ex6_4_awaits_every_check 0
# %% replace ex6_4_big_order_ids
async def big_order_ids(stream, is_big):
    orders = len([order async for order in stream])
    if orders == 0:
        return []
    return [order_id async for order_id, amount in stream if await is_big(amount)]
