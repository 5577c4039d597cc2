package engine

import (
	"fmt"
	"strings"
)

// Compose's labels on the containers it makes.
const (
	ComposeProject   = "com.docker.compose.project"
	ComposeService   = "com.docker.compose.service"
	ComposeDependsOn = "com.docker.compose.depends_on"
)

// DependsOn reads compose's depends_on label, "db:service_started:false,
// cache:service_healthy:true" (compose v2; v1 sets none), into the names
// of the services a container's service depends on.
func DependsOn(labels map[string]string) []string {
	var out []string
	for _, part := range strings.Split(labels[ComposeDependsOn], ",") {
		svc, _, _ := strings.Cut(strings.TrimSpace(part), ":")
		if svc != "" {
			out = append(out, svc)
		}
	}
	return out
}

// DependencyOrder orders containers so that each comes after the ones its
// compose service depends on (label com.docker.compose.depends_on,
// services named by com.docker.compose.service within one project), and
// otherwise keeps their order. A dependency on a service that is not among
// them is ignored; a cycle is an error naming it.
func DependencyOrder(cs []*Container) ([]*Container, error) {
	key := func(c *Container) string {
		if svc := c.Labels[ComposeService]; svc != "" {
			return c.Labels[ComposeProject] + "/" + svc
		}
		return ""
	}
	bySvc := map[string][]int{}
	for i, c := range cs {
		if k := key(c); k != "" {
			bySvc[k] = append(bySvc[k], i)
		}
	}
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(cs))
	out := make([]*Container, 0, len(cs))
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		switch state[i] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("the containers' compose depends_on labels form a cycle: %s", strings.Join(append(path, cs[i].Name), " -> "))
		}
		state[i] = visiting
		for _, dep := range DependsOn(cs[i].Labels) {
			for _, j := range bySvc[cs[i].Labels[ComposeProject]+"/"+dep] {
				if err := visit(j, append(path, cs[i].Name)); err != nil {
					return err
				}
			}
		}
		state[i] = done
		out = append(out, cs[i])
		return nil
	}
	for i := range cs {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
