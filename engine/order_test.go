package engine

import (
	"reflect"
	"strings"
	"testing"
)

func svc(name, project, service, dependsOn string) *Container {
	l := map[string]string{}
	if service != "" {
		l[ComposeProject], l[ComposeService] = project, service
	}
	if dependsOn != "" {
		l[ComposeDependsOn] = dependsOn
	}
	return &Container{Name: name, Labels: l}
}

func names(cs []*Container) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestDependencyOrder(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []*Container
		want []string
		err  string
	}{
		{"no labels: kept", []*Container{svc("b", "", "", ""), svc("a", "", "", "")}, []string{"b", "a"}, ""},
		{"app after db", []*Container{
			svc("web-app-1", "web", "app", "db:service_started:false"),
			svc("web-db-1", "web", "db", ""),
		}, []string{"web-db-1", "web-app-1"}, ""},
		{"chain and two replicas", []*Container{
			svc("p-front-1", "p", "front", "api:service_started:false"),
			svc("p-api-1", "p", "api", "db:service_healthy:true,cache:service_started:false"),
			svc("p-api-2", "p", "api", "db:service_healthy:true,cache:service_started:false"),
			svc("p-cache-1", "p", "cache", ""),
			svc("p-db-1", "p", "db", ""),
		}, []string{"p-db-1", "p-cache-1", "p-api-1", "p-api-2", "p-front-1"}, ""},
		{"same service name in another project is not a dependency", []*Container{
			svc("a-app-1", "a", "app", "db:service_started:false"),
			svc("b-db-1", "b", "db", ""),
		}, []string{"a-app-1", "b-db-1"}, ""},
		{"dependency not in the group", []*Container{svc("w-app-1", "w", "app", "db:service_started:false")}, []string{"w-app-1"}, ""},
		{"cycle", []*Container{
			svc("c-x-1", "c", "x", "y:service_started:false"),
			svc("c-y-1", "c", "y", "x:service_started:false"),
		}, nil, "cycle: c-x-1 -> c-y-1 -> c-x-1"},
	} {
		got, err := DependencyOrder(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(names(got), tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, names(got), err, tt.want)
		}
	}
}

func TestDependsOn(t *testing.T) {
	got := DependsOn(map[string]string{ComposeDependsOn: "db:service_healthy:true, cache:service_started:false"})
	if !reflect.DeepEqual(got, []string{"db", "cache"}) {
		t.Errorf("DependsOn = %q", got)
	}
	if got := DependsOn(nil); got != nil {
		t.Errorf("DependsOn(no label) = %q", got)
	}
}

func TestParseFilters(t *testing.T) {
	got, err := ParseFilters([]string{"label=com.docker.compose.project=web", "label=tier", "name=db"})
	want := map[string][]string{"label": {"com.docker.compose.project=web", "tier"}, "name": {"db"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseFilters = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"label", "=x", "name=", ""} {
		if _, err := ParseFilters([]string{bad}); err == nil || !strings.Contains(err.Error(), "KEY=VALUE") {
			t.Errorf("ParseFilters(%q) = %v, want an error", bad, err)
		}
	}
}

func TestNetworkSpec(t *testing.T) {
	rec := []byte(`{"Name":"web_default","Id":"abc","Driver":"bridge","Scope":"local","Labels":{"com.docker.compose.project":"web","com.docker.compose.network":"default"},"IPAM":{"Driver":"default","Config":[{"Subnet":"172.30.0.0/16"}]},"Internal":true}`)
	n, err := NetworkSpec(rec)
	if err != nil {
		t.Fatal(err)
	}
	if n.Name != "web_default" || n.Options.Driver != "bridge" || !n.Options.Internal || n.Options.Labels[ComposeProject] != "web" ||
		n.Options.IPAM == nil || len(n.Options.IPAM.Config) != 1 || n.Options.IPAM.Config[0].Subnet != "172.30.0.0/16" {
		t.Errorf("NetworkSpec = %+v", n)
	}
	if _, err := NetworkSpec([]byte(`{}`)); err == nil {
		t.Error("a record without a name is accepted")
	}
	for _, tt := range []struct {
		name string
		user bool
	}{{"bridge", false}, {"host", false}, {"none", false}, {"web_default", true}, {"", false}} {
		if UserNetwork(tt.name) != tt.user {
			t.Errorf("UserNetwork(%q) = %v", tt.name, !tt.user)
		}
	}
}
