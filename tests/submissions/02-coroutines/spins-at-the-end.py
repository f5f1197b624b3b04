# Believes the spinner task only runs once main awaits it: predicts every spin after the last part.
# expect ex2_4_all_or_nothing 0
# expect ex2_4_mixed_parts 0
# %% replace ex2_4_predict_log
def predict_log(suspends):
    return [f"part {i}" for i in range(len(suspends))] + ["spin"] * len(suspends)
