# Believes every await hands control back to the loop: predicts a spin after every part, suspending or not.
# expect ex2_4_all_or_nothing 0
# expect ex2_4_mixed_parts 0
# %% replace ex2_4_predict_log
def predict_log(suspends):
    log = []
    for i in range(len(suspends)):
        log += [f"part {i}", "spin"]
    return log
