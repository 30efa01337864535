#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for tests, CI and the demo notebooks.
#
#   scripts/slurm-local.sh start    install (as root, when absent), configure, start munged + slurmctld + slurmd,
#                                   wait until `sinfo` shows the node idle. Idempotent.
#   scripts/slurm-local.sh stop     stop slurmd and slurmctld (and munged, if this script started it).
#   scripts/slurm-local.sh status   daemons, partitions, queue.
#   scripts/slurm-local.sh env      print the export line client commands need (SLURM_CONF).
#
# Everything lives under $SLURM_LOCAL_DIR (default: <repo>/.slurm-local, gitignored): slurm.conf, gres.conf,
# state, spool, logs and eight empty files standing in for GPUs, so `#SBATCH --gres=gpu:8` headers of the real
# a100-8x jobs are accepted here and gpu:9 is refused. Nothing under /etc/slurm is written: clients find the
# config through SLURM_CONF (the library sets it from the `local` profile).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${SLURM_LOCAL_DIR:-$ROOT/.slurm-local}"
CONF="$STATE/etc/slurm.conf"
GRES_CONF="$STATE/etc/gres.conf"
NODE="$(hostname -s)"
WAIT_SECONDS="${SLURM_LOCAL_WAIT:-60}"
export SLURM_CONF="$CONF"

log() { printf 'slurm-local: %s\n' "$*"; }
die() {
  printf 'slurm-local: error: %s\n' "$*" >&2
  exit 1
}

pid_alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_if_absent() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null &&
    command -v sbatch >/dev/null; then
    return
  fi
  if [[ "$(id -u)" != 0 ]]; then
    die "slurmctld/slurmd/munged not found and not root: install them with 'sudo apt-get install slurm-wlm munge'"
  fi
  command -v apt-get >/dev/null || die "slurm is not installed and apt-get is not available: install slurm-wlm and munge"
  log "installing slurm-wlm and munge with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  if munge_works; then
    return
  fi
  [[ "$(id -u)" == 0 ]] || die "munged is not running and only root can start it (as user munge): ask an admin"
  if [[ ! -s /etc/munge/munge.key ]]; then
    log "creating /etc/munge/munge.key (1024 random bytes)"
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 700 /etc/munge
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 755 /run/munge
  log "starting munged as user munge"
  runuser -u munge -- /usr/sbin/munged
  touch "$STATE/munged-started-here"
  for _ in $(seq 1 50); do
    munge_works && return
    sleep 0.1
  done
  die "munged did not come up (see /var/log/munge/munged.log)"
}

write_config() {
  mkdir -p "$STATE/etc" "$STATE/state" "$STATE/spool" "$STATE/log" "$STATE/run" "$STATE/fakegpu"
  local i
  for i in 0 1 2 3 4 5 6 7; do : >"$STATE/fakegpu/fakegpu$i"; done
  local cpus mem_mb
  cpus="$(nproc)"
  # Leave a little memory for the OS; jobs asking --mem above this are refused like on a real node.
  mem_mb="$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)"
  cat >"$CONF" <<EOF
# Written by scripts/slurm-local.sh: a one-node cluster for tests. Regenerated on each start.
ClusterName=local
# Addresses given explicitly: the host name need not resolve (containers, CI).
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.txt
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
# Fast life cycle for tests: no grace period past the time limit, a short wait between SIGTERM and SIGKILL,
# finished jobs stay visible to scontrol for 10 minutes.
OverTimeLimit=0
KillWait=2
MinJobAge=600
InactiveLimit=0
GresTypes=gpu
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb Gres=gpu:8 State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$NODE Default=NO MaxTime=INFINITE State=UP
EOF
  cat >"$GRES_CONF" <<EOF
# Eight empty files stand in for GPUs (slurmd logs that they are not devices; the node still registers gpu:8).
AutoDetect=off
NodeName=$NODE Name=gpu File=$STATE/fakegpu/fakegpu[0-7]
EOF
}

node_state() { sinfo -h -N -n "$NODE" -o '%t' 2>/dev/null | head -n1 | tr -d '*~#!%$@^-'; }

wait_idle() {
  local waited=0 state=""
  while ((waited < WAIT_SECONDS * 2)); do
    state="$(node_state || true)"
    case "$state" in
      idle | mix | alloc | comp) return 0 ;;
      down | drain | drng | fail | inval)
        # A node left down by an earlier stop: put it back in service.
        scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
        ;;
    esac
    sleep 0.5
    waited=$((waited + 1))
  done
  die "node $NODE not idle after ${WAIT_SECONDS}s (state '${state:-unknown}'); see $STATE/log/slurmctld.log and slurmd.log"
}

cmd_start() {
  install_if_absent
  mkdir -p "$STATE"
  if pid_alive "$STATE/run/slurmctld.pid" && pid_alive "$STATE/run/slurmd.pid"; then
    wait_idle
    log "already running (node $NODE $(node_state)); SLURM_CONF=$CONF"
    return
  fi
  [[ "$(id -u)" == 0 ]] || die "starting slurmctld/slurmd with SlurmUser=root needs root"
  start_munge
  write_config
  if ! pid_alive "$STATE/run/slurmctld.pid"; then
    log "starting slurmctld"
    slurmctld -f "$CONF" || die "slurmctld failed to start; see $STATE/log/slurmctld.log"
  fi
  if ! pid_alive "$STATE/run/slurmd.pid"; then
    log "starting slurmd"
    slurmd -f "$CONF" || die "slurmd failed to start; see $STATE/log/slurmd.log"
  fi
  wait_idle
  log "ready: node $NODE $(node_state), partitions: $(sinfo -h -o '%P' | tr '\n' ' ')"
  log "clients need: export SLURM_CONF=$CONF"
}

stop_daemon() {
  local name="$1" pidfile="$STATE/run/$1.pid" pid
  pid_alive "$pidfile" || return 0
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$name ($pid) did not stop on SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  if [[ ! -d "$STATE/run" ]]; then
    log "not running (no $STATE/run)"
    return
  fi
  stop_daemon slurmd
  stop_daemon slurmctld
  if [[ -f "$STATE/munged-started-here" ]]; then
    if [[ -s /run/munge/munged.pid ]]; then kill -TERM "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
    rm -f "$STATE/munged-started-here"
  fi
  log "stopped"
}

cmd_status() {
  local rc=0
  for daemon in slurmctld slurmd; do
    if pid_alive "$STATE/run/$daemon.pid"; then
      log "$daemon running (pid $(cat "$STATE/run/$daemon.pid"))"
    else
      log "$daemon not running"
      rc=3
    fi
  done
  if munge_works; then log "munged answering"; else
    log "munged not answering"
    rc=3
  fi
  if ((rc == 0)); then
    sinfo -o '%P %a %D %t %G %c %m'
    squeue
  fi
  return "$rc"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart)
    cmd_stop
    cmd_start
    ;;
  status) cmd_status ;;
  env) printf 'export SLURM_CONF=%q\n' "$CONF" ;;
  *)
    echo "usage: $0 start|stop|restart|status|env" >&2
    exit 2
    ;;
esac
