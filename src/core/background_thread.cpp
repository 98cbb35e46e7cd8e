// Starting a thread with every signal blocked; see background_thread.hpp.
#include "core/background_thread.hpp"

#include "common/error.hpp"

#include <pthread.h>
#include <csignal>
#include <system_error>

namespace chameleon::core {

std::thread
start_thread_without_signals(std::function<void()> body, const char *what) {
	sigset_t all, previous;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	try {
		std::thread thread(std::move(body));
		pthread_sigmask(SIG_SETMASK, &previous, nullptr);
		return thread;
	} catch (const std::system_error &e) {
		pthread_sigmask(SIG_SETMASK, &previous, nullptr);
		throw Error(sqlstate::insufficient_resources,
					std::string("could not start the ") + what + ": " + e.what(), "",
					"Raise the limit of processes of the server's operating system user (ulimit -u), or free "
					"memory, then start the replica again.");
	}
}

} // namespace chameleon::core
