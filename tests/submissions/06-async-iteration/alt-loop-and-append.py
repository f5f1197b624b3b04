# Valid: an explicit async for loop that awaits the check and appends, instead of a comprehension.
# alternative ex6_4_keeps_big_orders ex6_4_awaits_every_check
# %% replace ex6_4_big_order_ids
async def big_order_ids(stream, is_big):
    kept = []
    async for order_id, amount in stream:
        if await is_big(amount):
            kept.append(order_id)
    return kept
