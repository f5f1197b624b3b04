# Believes create_task runs the new task's first step at once: predicts a spin before the first part.
# expect ex2_4_all_or_nothing 0
# expect ex2_4_mixed_parts 0
# %% replace ex2_4_predict_log
def predict_log(suspends):
    if not suspends:
        return []
    log = ["spin"]
    spins_left = len(suspends) - 1
    for i, hands_back in enumerate(suspends):
        log.append(f"part {i}")
        if hands_back and spins_left:
            log.append("spin")
            spins_left -= 1
    return log + ["spin"] * spins_left
