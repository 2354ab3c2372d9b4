// Basira's workspace: the entry module. It imports the shell and the
// pages; each page registers itself (registerPage in shell.js). To add a
// page (the rumour desk's debunk.js), import it here.
import { start } from "./shell.js";
import "./queue.js";
import "./referrals.js";
import "./appeals.js";
import "./dashboard.js";
import "./audit.js";
import "./debunk.js";
import "./desk.js";

start();
