# Believes that once one part hands control back, main and the spinner alternate from then on:
# right when all parts or none suspend, wrong for a mix.
# expect ex2_4_mixed_parts 0
# %% replace ex2_4_predict_log
def predict_log(suspends):
    log = []
    spins_left = len(suspends)
    alternating = False
    for i, hands_back in enumerate(suspends):
        log.append(f"part {i}")
        alternating = alternating or hands_back
        if alternating:
            log.append("spin")
            spins_left -= 1
    return log + ["spin"] * spins_left
