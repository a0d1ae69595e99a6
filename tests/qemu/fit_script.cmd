echo RF-FIT-SCRIPT-RAN from the FIT script node
