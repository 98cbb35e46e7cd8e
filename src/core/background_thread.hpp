// Threads of the extension's processes (the initial copy's reader, the replay's fold): they run
// plain C++ only, never PostgreSQL code, and block every signal, since the server's signal
// handlers must run on a process's main thread.
#pragma once

#include <functional>
#include <thread>

namespace chameleon::core {

// Starts a thread running `body` with every signal blocked; the caller's signal mask is restored
// whether or not the thread starts. A thread that cannot start (the process's limit of threads,
// memory) throws chameleon::Error naming `what`.
std::thread start_thread_without_signals(std::function<void()> body, const char *what);

} // namespace chameleon::core
