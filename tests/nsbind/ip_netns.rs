//! `ip netns`: nsbind and iproute2 share /run/netns (a /run of the scene's
//! own), each listing, entering and releasing what the other bound.

use super::*;

/// nsbind and ip netns share /run/netns: a net namespace nsbind bound
/// there (its process gone; a link made in it earlier, a bridge as this
/// kernel has no dummy driver) is listed and entered by ip, which also
/// deletes it; one ip made is listed and released by nsbind; and nsbind
/// binds into the shared /run/netns that ip set up. /run is a tmpfs of
/// the scene's own, so /run/netns never appears on the host.
#[test]
fn interoperates_with_ip_netns() {
    let netns_before = Path::new("/run/netns").exists();
    let s = Scene::new();
    let out = s
            .shell_pidns(
                r#"
            mount -t tmpfs nsbind-run /run
            mkdir /run/netns
            "$UL" --net sh -c 'ip link add nsbind0 type bridge && exec sleep 600' &
            T=$!
            waitfor '[ "$(cat "/proc/$T/comm" 2>/dev/null)" = sleep ]'
            run bind "$N" -t "$T" net /run/netns/blue
            held=$(nsino "$T" net)
            end "$T"
            echo "list: $(ip netns list | cut -d' ' -f1 | paste -sd' ' -)"
            echo "links: $(ip netns exec blue ip -o link show | cut -d: -f2 | tr -d ' ' | paste -sd' ' -)"
            echo "held: $(eq "$(ino /run/netns/blue)" "$held")"
            "$N" --list | awk 'NR > 1 && $4 ~ /^\/run\/netns\// { print "listed:", $2, $3, $4 }'
            run "ip del" ip netns del blue
            echo "after del: $(files /run/netns) nsfs=$(nsfs_under /run)"

            run "ip add" ip netns add red
            "$N" --list | awk 'NR > 1 && $4 ~ /^\/run\/netns\// { print "listed:", $2, $3, $4 }'
            echo "red links: $(ip netns exec red ip -o link show | cut -d: -f2 | tr -d ' ' | paste -sd' ' -)"
            spawn --net
            run green "$N" -t "$T" net /run/netns/green
            echo "list: $(ip netns list | cut -d' ' -f1 | sort | paste -sd' ' -)"
            echo "green: $(eq "$(ip netns exec green readlink /proc/self/ns/net | tr -cd 0-9)" \
                             "$(nsino "$T" net)")"
            end "$T"
            run unbind "$N" --unbind /run/netns/red /run/netns/green
            echo "list: $(ip netns list | wc -l) files: $(ls -A /run/netns | wc -l)" \
                "nsfs=$(nsfs_under /run)"
        "#,
            )
            .run();
    expect(
        &out,
        "bind: rc=0\n\
             list: blue\n\
             links: lo nsbind0\n\
             held: yes\n\
             listed: net - /run/netns/blue\n\
             ip del: rc=0\n\
             after del:  nsfs=0\n\
             ip add: rc=0\n\
             listed: net - /run/netns/red\n\
             red links: lo\n\
             green: rc=0\n\
             list: green red\n\
             green: yes\n\
             unbind: rc=0\n\
             list: 0 files: 0 nsfs=0\n",
    );
    assert_eq!(
        Path::new("/run/netns").exists(),
        netns_before,
        "/run/netns appeared or vanished on the host"
    );
}
