# Writes the comprehension in parentheses: that makes an async generator expression, not a list, and
# nothing is read from the stream.
# expect ex6_4_keeps_big_orders 0
# expect ex6_4_awaits_every_check 0
# %% replace ex6_4_big_order_ids
async def big_order_ids(stream, is_big):
    return (order_id async for order_id, amount in stream if await is_big(amount))
